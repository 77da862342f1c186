# The answers `slipway init --preset kkp` was given; every variable is described and checked in
# variables.tf. The SSH public key is not here: CI passes SSH_PUBLIC_KEY as TF_VAR_ssh_public_key.

cluster_name                       = "kkp-test"
region                             = "eu-central-1"
control_plane_type                 = "t3.large"
worker_type                        = "t3.xlarge"
initial_machinedeployment_replicas = 2
cluster_autoscaler_min_replicas    = 2
cluster_autoscaler_max_replicas    = 5
