# The DNS records' state: the control plane's bucket, another key.
bucket = "tf-state-kkp-test-bjgmdu5k"
key    = "kkp/dns.tfstate"
region = "eu-central-1"
