# What `kubeone apply --tfjson` reads: the API endpoint, the control-plane hosts, and the worker
# pool machine-controller creates (KubeOne merges these into kubeone.yaml).

output "kubeone_api" {
  description = "The Kubernetes API endpoint"

  value = {
    endpoint = aws_lb.api.dns_name
  }
}

output "kubeone_hosts" {
  description = "The control-plane nodes KubeOne connects to over SSH"

  value = {
    control_plane = {
      cluster_name     = var.cluster_name
      cloud_provider   = "aws"
      private_address  = aws_instance.control_plane[*].private_ip
      public_address   = aws_instance.control_plane[*].public_ip
      hostnames        = aws_instance.control_plane[*].private_dns
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
          region           = var.region
          ami              = local.ami
          instanceType     = var.worker_type
          availabilityZone = local.zones[0]
          subnetId         = aws_subnet.public[0].id
          vpcId            = aws_vpc.cluster.id
          securityGroupIDs = [aws_security_group.cluster.id]
          instanceProfile  = aws_iam_instance_profile.worker.name
          diskSize         = 50
          diskType         = "gp3"
          tags = {
            (local.kube_cluster_tag) = "shared"
          }
        }
      }
    }
  }
}
