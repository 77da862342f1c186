/// Repositories shaped as the KKP start wizard generated them, for `init --adopt` tests.
///
/// Path → contents, written from the facts in ../shared/kkp-wizard.md (§1.5, §2.1, §2.5, §2.7), not
/// copied from a bundle.
public enum WizardFixtures {
    /// The GitHub workflow of template generation v0.2.4 on AWS (§2.1), every step written out.
    public static func githubWorkflow(image: String = "quay.io/kubermatic/startio-ci:v0.2.4-0", kkp: String = "v2.19.2")
        -> String
    {
        let aws = """
                  - name: Configure AWS Credentials
                    uses: aws-actions/configure-aws-credentials@v1
                    with:
                      aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}
                      aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
                      aws-region: eu-central-1
            """
        let output = """
                  - name: Retrieve Terraform output
                    working-directory: terraform/aws
                    run: |
                      terraform init
                      terraform output -json > output.json
            """
        // What every deploy job of the wizard's workflow starts with.
        let deployer = """
                  - uses: actions/checkout@v2
                  - uses: webfactory/ssh-agent@v0.5.3
                    with: { ssh-private-key: "${{ secrets.SSH_PRIVATE_KEY }}" }
            \(aws)
            \(output)
            """
        return """
            # KKP automation workflow
            name: "KKP delivery pipeline with GitOps"

            on:
              push:
                branches: [main]
                paths: ['.github/workflows/**', 'kubeone/**', 'kubermatic/**', 'terraform/**']
              pull_request:
                branches: [main]
                paths: ['.github/workflows/**', 'terraform/**']

            concurrency: ci-${{ github.ref }}

            jobs:
              terraform-kkp-validate:
                runs-on: ubuntu-20.04
                container: \(image)
                steps:
                  - uses: actions/checkout@v2
                  - name: Validate Terraform KubeOne module
                    working-directory: terraform/aws
                    run: |
                      terraform init -backend=false
                      terraform validate
                      terraform fmt -check -write=false

              terraform-backend-prepare:
                runs-on: ubuntu-20.04
                container: \(image)
                steps:
                  - uses: actions/checkout@v2
            \(aws)
                  - id: check-terraform-backend
                    uses: tuler/s3-check-action@master
                    env:
                      FILE: bucket-ready
                      AWS_REGION: eu-central-1
                      AWS_S3_BUCKET: tf-state-kkp-dtsypf2kaeqk
                      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}
                      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}
                  - name: Create Terraform remote backend
                    working-directory: terraform/aws
                    run: ./setup_terraform_backend.sh
                    if: steps.check-terraform-backend.outputs.exists == 'false'

              terraform-plan:
                runs-on: ubuntu-20.04
                needs: [terraform-kkp-validate, terraform-backend-prepare]
                container: \(image)
                steps:
                  - uses: actions/checkout@v2
                  - name: Prepare SSH deployer keys
                    run: |
                      mkdir ~/.ssh
                      echo ${{ secrets.SSH_PUBLIC_KEY }} > ~/.ssh/k8s_rsa.pub
                      chmod 600 ~/.ssh/k8s_rsa.pub
            \(aws)
                  - name: Create Terraform plan
                    working-directory: terraform/aws
                    run: |
                      terraform init
                      terraform plan -out=plan.tfplan
                  - uses: actions/upload-artifact@v2
                    with: { name: plan.tfplan, path: terraform/aws/plan.tfplan }

              terraform-apply:
                runs-on: ubuntu-20.04
                needs: [terraform-plan]
                if: ${{ github.event_name == 'push' }}
                container: \(image)
                steps:
                  - uses: actions/checkout@v2
            \(aws)
                  - uses: actions/download-artifact@v2
                    with: { name: plan.tfplan, path: terraform/aws }
                  - name: Apply Terraform plan
                    working-directory: terraform/aws
                    run: |
                      terraform init
                      terraform apply -auto-approve plan.tfplan

              kubeone-apply:
                runs-on: ubuntu-20.04
                needs: [terraform-apply]
                if: ${{ github.event_name == 'push' }}
                container: \(image)
                steps:
            \(deployer)
                  - name: Provision/update cluster with KubeOne
                    working-directory: kubeone
                    run: kubeone apply -m kubeone.yaml -t ../terraform/aws/output.json -y -v

              kkp-deploy:
                runs-on: ubuntu-20.04
                needs: [kubeone-apply]
                if: ${{ github.event_name == 'push' }}
                container: \(image)
                steps:
            \(deployer)
                  - name: Retrieve kubeconfig of KubeOne cluster
                    working-directory: kubeone
                    run: kubeone kubeconfig -m kubeone.yaml -t ../terraform/aws/output.json > kubeconfig
                  - name: Decrypt KKP config files
                    working-directory: kubermatic
                    run: |
                      echo ${{ secrets.SOPS_AGE_SECRET_KEY }} > .age.txt
                      export SOPS_AGE_KEY_FILE=$GITHUB_WORKSPACE/kubermatic/.age.txt
                      sops -d -i kubermatic-configuration.yaml
                      sops -d -i values.yaml
                  - name: Run KKP installer
                    env: { KUBECONFIG: kubeone/kubeconfig }
                    run: |
                      export VERSION=\(kkp)
                      wget https://github.com/kubermatic/kubermatic/releases/download/${VERSION}/kubermatic-ce-${VERSION}-linux-amd64.tar.gz
                      tar -xzvf kubermatic-ce-${VERSION}-linux-amd64.tar.gz
                      ./kubermatic-installer deploy \\
                        --config kubermatic/kubermatic-configuration.yaml \\
                        --helm-values kubermatic/values.yaml \\
                        --storageclass aws

              flux-bootstrap:
                runs-on: ubuntu-20.04
                needs: [kkp-deploy]
                if: ${{ github.event_name == 'push' }}
                container: \(image)
                steps:
                  - uses: actions/checkout@v2
                  - uses: rishabhgupta/split-by@v1
                    id: split-repo
                    with: { string: "${{ github.repository }}", split-by: '/' }
                  - name: Bootstrap flux
                    env:
                      KUBECONFIG: kubeone/kubeconfig
                      GITHUB_TOKEN: ${{ secrets.TOKEN_GITHUB }}
                    run: |
                      flux bootstrap github \\
                        --owner=${{ steps.split-repo.outputs._0 }} \\
                        --repository=${{ steps.split-repo.outputs._1 }} \\
                        --branch=main \\
                        --personal=true \\
                        --path=flux/clusters/master \\
                        --commit-message-appendix='[ci skip]'

            """
    }

    /// The wizard's GitLab pipeline on AWS, as kkp-wizard.md §2.8 infers it: the same jobs, state in
    /// GitLab's managed Terraform state, Flux bootstrapped with `GITLAB_TOKEN`.
    public static let gitlabPipeline = """
        image: quay.io/kubermatic/startio-ci:v0.2.4-0

        stages: [validate, plan, apply, deploy]

        terraform-kkp-validate:
          stage: validate
          script:
            - cd terraform/aws && terraform init -backend=false && terraform validate

        terraform-plan:
          stage: plan
          script:
            - echo "$SSH_PUBLIC_KEY" > ~/.ssh/k8s_rsa.pub
            - cd terraform/aws && terraform init && terraform plan -out=plan.tfplan
          artifacts:
            paths: [terraform/aws/plan.tfplan]

        kkp-deploy:
          stage: deploy
          rules:
            - if: $CI_COMMIT_BRANCH == "main"
              changes: [kubeone/**/*, kubermatic/**/*, terraform/**/*, .gitlab-ci.yml]
          script:
            - eval $(ssh-agent -s); echo "$SSH_PRIVATE_KEY" | ssh-add -
            - echo "$SOPS_AGE_SECRET_KEY" > kubermatic/.age.txt
            - export VERSION=v2.19.2
            - ./kubermatic-installer deploy --config kubermatic/kubermatic-configuration.yaml --helm-values kubermatic/values.yaml --storageclass aws

        flux-bootstrap:
          stage: deploy
          script:
            - GITLAB_TOKEN=$GITLAB_TOKEN flux bootstrap gitlab --owner=$CI_PROJECT_NAMESPACE --repository=$CI_PROJECT_NAME --branch=main --path=flux/clusters/master --personal=true

        """

    /// The wizard's Bitbucket pipeline on AWS, as kkp-wizard.md §2.8 infers it: base64 keys, Flux
    /// bootstrapped over SSH with the account key.
    public static let bitbucketPipeline = """
        image: quay.io/kubermatic/startio-ci:v0.2.4-0

        pipelines:
          branches:
            main:
              - step:
                  name: kkp-deploy
                  script:
                    - echo $SSH_PRIVATE_KEY | base64 -d > k8s_rsa
                    - echo $SOPS_AGE_SECRET_KEY > kubermatic/.age.txt
                    - export VERSION=v2.19.2
                    - ./kubermatic-installer deploy --config kubermatic/kubermatic-configuration.yaml --helm-values kubermatic/values.yaml --storageclass aws
              - step:
                  name: flux-bootstrap
                  script:
                    - flux bootstrap git --url=ssh://git@bitbucket.org/$BITBUCKET_REPO_FULL_NAME.git --branch=main --path=flux/clusters/master --private-key-file=k8s_rsa --silent

        """

    /// A whole wizard repository on AWS with a GitHub workflow (template v0.2.4), `pipeline`
    /// replacing the workflow's path and text when given.
    public static func awsRepository(pipeline: (path: String, text: String)? = nil) -> [String: String] {
        var files: [String: String] = [
            ".gitignore": "secrets.md\n.age.txt\nk8s_rsa*\n.env\n.kubeconfig\n",
            "README.md": "# KKP on Autopilot\n\nThe age public key: age1exampleexampleexample\n",
            "terraform/aws/main.tf": """
            provider "aws" {
              region = var.aws_region
            }

            resource "aws_vpc" "main" {
              cidr_block = "10.0.0.0/16"
            }

            """,
            "terraform/aws/variables.tf": """
            variable "cluster_name" {
              type = string
            }

            variable "aws_region" {
              type = string
            }

            variable "ssh_public_key_file" {
              type = string
            }

            """,
            "terraform/aws/output.tf": """
            output "kubeone_api" {
              value = { endpoint = "api.example" }
            }

            """,
            "terraform/aws/versions.tf": "terraform {\n  required_version = \">= 1.0.4\"\n}\n",
            "terraform/aws/backend.tf": """
            terraform {
              backend "s3" {
                region         = "eu-central-1"
                bucket         = "tf-state-kkp-dtsypf2kaeqk"
                key            = "terraform-kkp.tfstate"
                encrypt        = true
                dynamodb_table = "terraform-state-kkp-locks-dtsypf2kaeqk"
              }
            }

            """,
            "terraform/aws/terraform.tfvars": """
            cluster_name                       = "focused-kare"
            aws_region                         = "eu-central-1"
            worker_type                        = "t3.xlarge"
            ssh_public_key_file                = "~/.ssh/k8s_rsa.pub"
            ssh_username                       = "ubuntu"
            initial_machinedeployment_replicas = 1

            """,
            "terraform/aws/setup_terraform_backend.sh": """
            #!/bin/sh
            set -euo pipefail
            readonly TF_STATE_BUCKET_NAME="tf-state-kkp-dtsypf2kaeqk"
            aws s3api create-bucket --bucket "${TF_STATE_BUCKET_NAME}" --create-bucket-configuration LocationConstraint=eu-central-1

            """,
            "terraform/aws/dns/main.tf": "data \"aws_route53_zone\" \"zone\" {\n  name = var.zone\n}\n",
            "terraform/aws/dns/variables.tf": "variable \"zone\" {\n  type = string\n}\n",
            "terraform/aws/dns/terraform.tfvars": "zone = \"example.com\"\n",
            "kubeone/kubeone.yaml": """
            apiVersion: kubeone.k8c.io/v1beta2
            kind: KubeOneCluster
            versions:
              kubernetes: v1.23.3
            cloudProvider:
              aws: {}
            containerRuntime:
              containerd: {}
            addons:
              enable: true
              path: "./addons"

            """,
            "kubeone/addons/00_kubermatic-ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: iap\n",
            "kubermatic/kubermatic-configuration.yaml": """
            apiVersion: operator.kubermatic.io/v1alpha1
            kind: KubermaticConfiguration
            metadata:
              name: kubermatic
              namespace: kubermatic
            spec:
              ingress:
                domain: kkp.example.com
              auth:
                issuerClientSecret: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]
            sops:
              age:
                - recipient: age1exampleexampleexample
              encrypted_regex: (issuerClientSecret|issuerCookieKey|serviceAccountKey)
              version: 3.7.1

            """,
            "kubermatic/values.yaml": """
            dex:
              ingress:
                host: kkp.example.com
            sops:
              age:
                - recipient: age1exampleexampleexample
              version: 3.7.1

            """,
            "kubermatic/cluster-issuer.yaml": """
            apiVersion: cert-manager.io/v1
            kind: ClusterIssuer
            metadata:
              name: letsencrypt-prod

            """,
            "flux/clusters/master/kubermatic/kubermatic-git-source.yaml": """
            apiVersion: source.toolkit.fluxcd.io/v1beta1
            kind: GitRepository
            metadata:
              name: kubermatic-git
              namespace: kubermatic
            spec:
              ref:
                tag: v2.19.2

            """,
            "flux/clusters/master/kubermatic/seed.yaml": """
            apiVersion: kubermatic.k8s.io/v1
            kind: Seed
            metadata:
              name: kubermatic
              namespace: kubermatic

            """,
            "flux/clusters/master-sops/kubermatic/preset.yaml": """
            apiVersion: kubermatic.k8s.io/v1
            kind: Preset
            metadata:
              name: kkp

            """,
        ]
        if let pipeline {
            files[pipeline.path] = pipeline.text
        } else {
            files[".github/workflows/kkp.yaml"] = githubWorkflow()
        }
        return files
    }

    /// The wizard's repository for `git` on `cloud` (`aws`, `gce`, `azure`, `openstack`, `vsphere`):
    /// its Terraform folder, state backend and cloud credentials as the wizard wrote them
    /// (§1.6, §2.3, §2.5); GitLab keeps the state in GitLab, GitHub and Bitbucket in a bucket.
    public static func repository(git: String, cloud: String) -> [String: String] {
        let credentials: [String: [String]] = [
            "aws": ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
            "gce": [git == "bitbucket" ? "GCLOUD_SERVICE_KEY" : "GOOGLE_CREDENTIALS"],
            "azure": ["ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET"],
            "openstack": [
                "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_DOMAIN_NAME", "OS_TENANT_ID", "OS_TENANT_NAME",
            ],
            "vsphere": ["VSPHERE_SERVER", "VSPHERE_USER", "VSPHERE_PASSWORD"],
        ]
        let names = credentials[cloud] ?? []
        var pipeline: (String, String)
        switch git {
        case "gitlab":
            pipeline = (".gitlab-ci.yml", gitlabPipeline)
            pipeline.1 += "variables:\n" + names.map { "  TF_VAR_\($0.lowercased()): $\($0)\n" }.joined()
        case "bitbucket":
            pipeline = ("bitbucket-pipelines.yml", bitbucketPipeline)
            pipeline.1 += "definitions:\n  credentials: \"" + names.map { "$\($0)" }.joined(separator: " ") + "\"\n"
        default:
            var workflow = githubWorkflow()
            if cloud != "aws" {
                workflow = workflow.replacingOccurrences(
                    of: "aws-access-key-id: ${{ secrets.AWS_ACCESS_KEY_ID }}",
                    with: names.map { "\($0.lowercased()): ${{ secrets.\($0) }}" }.joined(separator: " "))
                workflow = workflow.replacingOccurrences(
                    of: "aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}", with: "")
                workflow = workflow.replacingOccurrences(
                    of: "AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}", with: "")
                workflow = workflow.replacingOccurrences(
                    of: "AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}", with: "")
                workflow = workflow.replacingOccurrences(of: "terraform/aws", with: "terraform/\(cloud)")
            }
            pipeline = (".github/workflows/kkp.yaml", workflow)
        }
        var files: [String: String] = [:]
        for (path, text) in awsRepository(pipeline: pipeline) {
            files[path.replacingOccurrences(of: "terraform/aws/", with: "terraform/\(cloud)/")] = text
        }
        if cloud != "aws" { files = files.filter { !$0.key.contains("/dns/") } }
        switch (git, cloud) {
        case ("gitlab", _):
            files["terraform/\(cloud)/backend.tf"] = "terraform {\n  backend \"http\" {}\n}\n"
        case (_, "gce"):
            files["terraform/gce/backend.tf"] =
                "terraform {\n  backend \"gcs\" {\n    prefix = \"terraform-kkp\"\n    bucket = \"tf-state-kkp-2veabiowgixc\"\n  }\n}\n"
            files["terraform/gce/terraform.tfvars"] =
                "cluster_name = \"happy-raman\"\nproject      = \"acme-platform\"\nregion       = \"europe-west3\"\n"
        default:
            break
        }
        return files
    }
}
