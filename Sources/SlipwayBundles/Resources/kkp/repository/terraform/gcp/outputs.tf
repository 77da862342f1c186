# What `kubeone apply --tfjson` reads: the API endpoint, the control-plane hosts, and the worker
# pool machine-controller creates (KubeOne merges these into kubeone.yaml).

output "kubeone_api" {
  description = "The Kubernetes API endpoint"

  value = {
    endpoint = google_compute_address.api.address
  }
}

output "kubeone_hosts" {
  description = "The control-plane nodes KubeOne connects to over SSH"

  value = {
    control_plane = {
      cluster_name     = var.cluster_name
      cloud_provider   = "gce"
      private_address  = google_compute_instance.control_plane[*].network_interface[0].network_ip
      public_address   = google_compute_instance.control_plane[*].network_interface[0].access_config[0].nat_ip
      hostnames        = google_compute_instance.control_plane[*].name
      ssh_agent_socket = "env:SSH_AUTH_SOCK"
      ssh_port         = 22
      ssh_user         = var.ssh_username
    }
  }
}

output "kubeone_workers" {
  description = "The worker pool machine-controller creates and the cluster autoscaler scales"

  value = {
    "${var.cluster_name}-pool1" = {
      replicas = var.initial_machinedeployment_replicas
      providerSpec = {
        annotations = {
          "cluster.k8s.io/cluster-api-autoscaler-node-group-min-size" = tostring(var.cluster_autoscaler_min_replicas)
          "cluster.k8s.io/cluster-api-autoscaler-node-group-max-size" = tostring(var.cluster_autoscaler_max_replicas)
        }
        sshPublicKeys   = [var.ssh_public_key]
        operatingSystem = "ubuntu"
        operatingSystemSpec = {
          distUpgradeOnBoot = false
        }
        cloudProviderSpec = {
          machineType           = var.worker_type
          diskSize              = 50
          diskType              = "pd-balanced"
          network               = google_compute_network.cluster.self_link
          subnetwork            = google_compute_subnetwork.cluster.self_link
          zone                  = local.zones[0]
          preemptible           = false
          assignPublicIPAddress = true
          multizone             = true
          regional              = false
          labels = {
            "kubeone-cluster" = var.cluster_name
            "kubeone-role"    = "worker"
          }
          tags = ["${var.cluster_name}-pool1"]
        }
      }
    }
  }
}

output "control_plane_target_pool_members" {
  description = "Control-plane nodes behind the API load balancer now (scripts/kkp.sh keeps this many until terraform-api-pool adds the rest)"
  value       = length(google_compute_target_pool.control_plane.instances)
}
