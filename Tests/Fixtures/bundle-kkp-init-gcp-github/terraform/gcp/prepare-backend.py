#!/usr/bin/env python3
"""Creates the GCS bucket that holds this repository's Terraform state, when it is missing.

The bucket is versioned (every state Terraform wrote stays recoverable), has uniform bucket-level
access and enforced public access prevention. GCS encrypts every object at rest and serves its API
over TLS only, so neither needs a setting; Terraform's gcs backend locks the state with a lock
object of its own, so no lock table is needed either. Every setting is read first and written only
when it differs, so a second run changes nothing and says so.

Usage:
  TF_STATE_BUCKET=<bucket> GOOGLE_PROJECT=<project> GOOGLE_REGION=<region> \
    python3 terraform/gcp/prepare-backend.py [--check]

--check only reads: it fails, saying why, when the bucket is missing or these credentials cannot
read it (terraform-plan runs it before planning).

Credentials, the first found: GOOGLE_OAUTH_ACCESS_TOKEN; GOOGLE_CREDENTIALS (a service account
key, as Terraform reads it); the file GOOGLE_APPLICATION_CREDENTIALS names (a service account key,
or the workload identity file CI writes for OIDC). Needs python3 and openssl (to sign a key's token
request); nothing else. STORAGE_EMULATOR_HOST points it at a GCS emulator, as Google's libraries do.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

STORAGE_SCOPE = "https://www.googleapis.com/auth/devstorage.full_control"
CLOUD_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


class Failure(Exception):
    """An error a person can act on: the message, then what to do."""

    def __init__(self, message, *notes):
        super().__init__(message)
        self.notes = notes


def request(method, url, body=None, headers=None, form=False):
    """Sends one request; returns (status, parsed JSON or None)."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    call = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            text = response.read()
            return response.status, (json.loads(text) if text.strip() else None)
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, None
    except urllib.error.URLError as error:
        raise Failure(f"cannot reach {urllib.parse.urlsplit(url).netloc}: {error.reason}",
                      "check the network, or STORAGE_EMULATOR_HOST when it is set") from None


def reason(payload):
    """The API's own words for an error response."""
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict):
            return error.get("message") or json.dumps(error)
        if isinstance(error, str):
            return payload.get("error_description") or error
    return "no details"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def credentials():
    """The credentials JSON and where it came from, or (None, None)."""
    inline = os.environ.get("GOOGLE_CREDENTIALS", "").strip()
    if inline:
        if not inline.startswith("{"):
            if os.path.isfile(inline):
                with open(inline, encoding="utf-8") as file:
                    inline = file.read()
            else:
                try:
                    inline = base64.b64decode(inline, validate=True).decode()
                except ValueError:
                    raise Failure("GOOGLE_CREDENTIALS is neither a key's JSON, its base64, nor a file",
                                  "store the service account key file's contents as they are") from None
        source = "GOOGLE_CREDENTIALS"
    else:
        path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "")
        if not path:
            return None, None
        try:
            with open(path, encoding="utf-8") as file:
                inline = file.read()
        except OSError as error:
            raise Failure(f"cannot read GOOGLE_APPLICATION_CREDENTIALS ({path}): {error.strerror}") from None
        source = path
    try:
        return json.loads(inline), source
    except ValueError:
        raise Failure(f"the credentials in {source} are not JSON",
                      "they must be a service account key or a workload identity configuration") from None


def service_account_token(key, source):
    """An access token for a service account key: a signed JWT exchanged at the key's token URI."""
    for field in ("client_email", "private_key", "token_uri"):
        if not key.get(field):
            raise Failure(f"the service account key in {source} has no {field}",
                          "download a new JSON key for the service account")
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": key.get("private_key_id", "")}
    claims = {"iss": key["client_email"], "scope": STORAGE_SCOPE, "aud": key["token_uri"],
              "iat": now, "exp": now + 3600}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    # The private key only ever sits in a file only this user can read, removed at once.
    with tempfile.NamedTemporaryFile("w", delete=False) as file:
        os.chmod(file.name, 0o600)
        file.write(key["private_key"])
    try:
        signed = subprocess.run(["openssl", "dgst", "-sha256", "-sign", file.name],
                                input=signing_input.encode(), capture_output=True, check=False)
    finally:
        os.unlink(file.name)
    if signed.returncode != 0:
        raise Failure(f"openssl cannot sign with the private key in {source}",
                      "the key file may be damaged: download a new JSON key for the service account")
    assertion = f"{signing_input}.{b64url(signed.stdout)}"
    status, payload = request("POST", key["token_uri"], form=True, body={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})
    if status != 200 or not payload or "access_token" not in payload:
        raise Failure(f"Google refused the service account key in {source} (HTTP {status}: {reason(payload)})",
                      "the key may be disabled or deleted: check it under IAM → Service accounts → Keys")
    return payload["access_token"]


def subject_token(source, origin):
    """The OIDC token a workload identity configuration points at (a file, or a URL)."""
    form = source.get("format") or {}
    if "file" in source:
        try:
            with open(source["file"], encoding="utf-8") as file:
                text = file.read().strip()
        except OSError as error:
            raise Failure(f"cannot read the OIDC token file {source['file']} ({origin}): {error.strerror}",
                          "the CI step that writes it must run first") from None
    elif "url" in source:
        call = urllib.request.Request(source["url"], headers=source.get("headers") or {})
        try:
            with urllib.request.urlopen(call, timeout=60) as response:
                text = response.read().decode().strip()
        except (urllib.error.URLError, OSError) as error:
            raise Failure(f"cannot fetch the OIDC token ({origin}): {error}",
                          "the job needs permission to request an ID token (id-token: write on GitHub)") from None
    else:
        raise Failure(f"{origin} has neither a file nor a url credential source",
                      "only file- and URL-sourced workload identity configurations are supported here")
    if form.get("type") == "json":
        try:
            text = json.loads(text)[form.get("subject_token_field_name", "")]
        except (ValueError, KeyError, TypeError):
            raise Failure(f"the OIDC token in {origin}'s credential source has no field "
                          f"{form.get('subject_token_field_name')!r}") from None
    return text


def workload_identity_token(config, source):
    """An access token for a workload identity configuration: STS exchange, then impersonation."""
    token = subject_token(config.get("credential_source") or {}, source)
    status, payload = request("POST", config.get("token_url", "https://sts.googleapis.com/v1/token"), form=True,
                              body={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                                    "audience": config.get("audience", ""),
                                    "scope": CLOUD_SCOPE,
                                    "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
                                    "subject_token_type": config.get("subject_token_type", ""),
                                    "subject_token": token})
    if status != 200 or not payload or "access_token" not in payload:
        raise Failure(f"Google's STS refused the CI's OIDC token (HTTP {status}: {reason(payload)})",
                      "check the workload identity provider's attribute condition and that it trusts this repository")
    access = payload["access_token"]
    url = config.get("service_account_impersonation_url")
    if not url:
        return access
    status, payload = request("POST", url, body={"scope": [CLOUD_SCOPE], "lifetime": "3600s"},
                              headers={"Authorization": f"Bearer {access}"})
    if status != 200 or not payload or "accessToken" not in payload:
        raise Failure(f"impersonating the service account was refused (HTTP {status}: {reason(payload)})",
                      "grant the workload identity pool's principal roles/iam.workloadIdentityUser on it")
    return payload["accessToken"]


def access_token():
    token = os.environ.get("GOOGLE_OAUTH_ACCESS_TOKEN", "").strip()
    if token:
        return token
    config, source = credentials()
    if config is None:
        raise Failure("no GCP credentials: GOOGLE_OAUTH_ACCESS_TOKEN, GOOGLE_CREDENTIALS and "
                      "GOOGLE_APPLICATION_CREDENTIALS are all unset",
                      "in CI, the job's secrets or OIDC set them (README.md, \"Cloud credentials\")",
                      "locally, put GOOGLE_CREDENTIALS in the --env-file you pass to slipway run")
    kind = config.get("type")
    if kind == "service_account":
        return service_account_token(config, source)
    if kind == "external_account":
        return workload_identity_token(config, source)
    raise Failure(f"the credentials in {source} are of type {kind!r}",
                  "use a service account key (service_account) or workload identity (external_account)")


def main(arguments):
    check_only = arguments == ["--check"]
    if arguments and not check_only:
        raise Failure(f"unknown arguments: {' '.join(arguments)}", "the only option is --check")
    bucket = os.environ.get("TF_STATE_BUCKET", "")
    if not bucket:
        raise Failure("set TF_STATE_BUCKET to the state bucket (backend.hcl names it)")
    project = os.environ.get("GOOGLE_PROJECT", "")
    region = os.environ.get("GOOGLE_REGION", "")
    if not check_only and not (project and region):
        raise Failure("set GOOGLE_PROJECT and GOOGLE_REGION (slipway.yml's env sets both)")
    endpoint = os.environ.get("STORAGE_EMULATOR_HOST", "").rstrip("/") or "https://storage.googleapis.com"
    if "://" not in endpoint:
        endpoint = f"http://{endpoint}"
    api = f"{endpoint}/storage/v1"
    auth = {"Authorization": f"Bearer {access_token()}"}
    quoted = urllib.parse.quote(bucket, safe="")

    status, found = request("GET", f"{api}/b/{quoted}", headers=auth)
    if status == 403:
        raise Failure(f"the state bucket {bucket} exists, but these credentials cannot read it",
                      "bucket names are global: another project may own it; choose another name in "
                      "backend.hcl and TF_STATE_BUCKET",
                      "or grant the CI's service account roles/storage.admin on it")
    if status not in (200, 404):
        raise Failure(f"cannot read the state bucket {bucket} (HTTP {status}: {reason(found)})")
    if check_only:
        if status == 404:
            raise Failure(f"the state bucket {bucket} does not exist",
                          "terraform-backend-prepare creates it on the first push to the default branch",
                          "or run it yourself: slipway run --event manual --job terraform-backend-prepare --env-file .env")
        print(f"state bucket {bucket}: exists")
        return

    changed = False
    if status == 404:
        status, created = request("POST", f"{api}/b?project={urllib.parse.quote(project)}", headers=auth, body={
            "name": bucket, "location": region.upper(), "storageClass": "STANDARD",
            "versioning": {"enabled": True},
            "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": True},
                                 "publicAccessPrevention": "enforced"},
            "labels": {"managed-by": "slipway"}})
        if status == 409:
            raise Failure(f"the bucket name {bucket} is taken by another project",
                          "bucket names are global: choose another in backend.hcl and TF_STATE_BUCKET")
        if status != 200:
            raise Failure(f"cannot create the state bucket {bucket} (HTTP {status}: {reason(created)})",
                          f"the credentials need roles/storage.admin in project {project}")
        print(f"state bucket {bucket}: created in {region}")
        found = created or {}
        changed = True
    else:
        print(f"state bucket {bucket}: exists")

    patch = {}
    if (found.get("versioning") or {}).get("enabled") is True:
        print("versioning: already on")
    else:
        patch["versioning"] = {"enabled": True}
        print("versioning: turned on")
    iam = found.get("iamConfiguration")
    if iam is None:
        # Emulators leave it out; Google always reports it.
        print("access: not reported by this endpoint, left as it is")
    else:
        uniform = (iam.get("uniformBucketLevelAccess") or {}).get("enabled") is True
        enforced = iam.get("publicAccessPrevention") == "enforced"
        if uniform and enforced:
            print("access: already uniform, public access already prevented")
        else:
            patch["iamConfiguration"] = {"uniformBucketLevelAccess": {"enabled": True},
                                         "publicAccessPrevention": "enforced"}
            print("access: made uniform, public access prevented")
    if patch:
        status, patched = request("PATCH", f"{api}/b/{quoted}", headers=auth, body=patch)
        if status != 200:
            raise Failure(f"cannot change the state bucket {bucket} (HTTP {status}: {reason(patched)})",
                          "the credentials need roles/storage.admin on it")
        changed = True
    print("encryption: always on in GCS; TLS: the only way GCS's API is served")
    if changed:
        print(f"state bucket {bucket} is ready")
    else:
        print(f"state bucket {bucket} was already ready: nothing changed")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Failure as failure:
        print(f"error: {failure}", file=sys.stderr)
        for note in failure.notes:
            print(f"  note: {note}", file=sys.stderr)
        sys.exit(1)
