# Where this Terraform's state lives: terraform init -backend-config=backend.hcl
# terraform-backend-prepare creates the bucket; TF_STATE_BUCKET in slipway.yml names the same one
# (terraform-kkp-validate fails when the two differ).
bucket = "tf-state-kkp-test-bjgmdu5k"
prefix = "kkp"
