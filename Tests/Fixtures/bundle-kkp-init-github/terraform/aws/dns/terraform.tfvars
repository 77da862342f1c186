# The endpoint's records in Route53; dns-update passes ingress_hostname when KKP's ingress has one.
region    = "eu-central-1"
zone_name = "example.com"
endpoint  = "kkp.example.com"
