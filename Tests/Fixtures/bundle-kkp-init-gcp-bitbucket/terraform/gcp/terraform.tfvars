# The answers `slipway init --preset kkp` was given; every variable is described and checked in
# variables.tf. The SSH public key is not here: CI passes SSH_PUBLIC_KEY as TF_VAR_ssh_public_key.

cluster_name                       = "kkp-test"
project                            = "acme-platform"
region                             = "europe-west3"
control_plane_type                 = "n2-standard-2"
worker_type                        = "n2-standard-4"
initial_machinedeployment_replicas = 2
cluster_autoscaler_min_replicas    = 2
cluster_autoscaler_max_replicas    = 5
