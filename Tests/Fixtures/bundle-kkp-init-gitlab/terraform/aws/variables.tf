variable "cluster_name" {
  description = "Name of the KKP master/seed cluster; prefixes every resource"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3 to 32 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of the cluster"
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-central-1."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the cluster's VPC"
  type        = string
  default     = "10.80.0.0/16"

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr))
    error_message = "vpc_cidr must be an IPv4 CIDR such as 10.80.0.0/16."
  }
}

variable "control_plane_count" {
  description = "Number of control-plane nodes (odd, for etcd quorum)"
  type        = number
  default     = 3

  validation {
    condition     = contains([1, 3, 5], var.control_plane_count)
    error_message = "control_plane_count must be 1, 3 or 5."
  }
}

variable "control_plane_type" {
  description = "EC2 instance type of the control-plane nodes"
  type        = string
  default     = "t3.large"
}

variable "control_plane_volume_size" {
  description = "Root volume size of the control-plane nodes, in GiB"
  type        = number
  default     = 100

  validation {
    condition     = var.control_plane_volume_size >= 50
    error_message = "control_plane_volume_size must be at least 50 GiB."
  }
}

variable "worker_type" {
  description = "EC2 instance type of the worker nodes KubeOne's machine-controller creates"
  type        = string
  default     = "t3.xlarge"
}

variable "initial_machinedeployment_replicas" {
  description = "Worker nodes the cluster starts with"
  type        = number
  default     = 2
}

variable "cluster_autoscaler_min_replicas" {
  description = "Fewest worker nodes the cluster autoscaler scales down to"
  type        = number
  default     = 2
}

variable "cluster_autoscaler_max_replicas" {
  description = "Most worker nodes the cluster autoscaler scales up to"
  type        = number
  default     = 5

  validation {
    condition     = var.cluster_autoscaler_max_replicas >= var.cluster_autoscaler_min_replicas
    error_message = "cluster_autoscaler_max_replicas must not be smaller than cluster_autoscaler_min_replicas."
  }
}

variable "ssh_public_key" {
  description = "Public half of the SSH key KubeOne connects with (the private half is a CI secret, never in the repository)"
  type        = string

  validation {
    condition     = can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp[0-9]+) ", var.ssh_public_key))
    error_message = "ssh_public_key must be an OpenSSH public key (ssh-ed25519 …)."
  }
}

variable "ssh_username" {
  description = "User KubeOne connects as (the image's default user)"
  type        = string
  default     = "ubuntu"
}

variable "ssh_allowed_cidrs" {
  description = "Where SSH to the control plane is allowed from (the CI runners and your workstation)"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "ami_id" {
  description = "Image of the control-plane nodes; empty: the newest Ubuntu image matching ami_name_pattern"
  type        = string
  default     = ""
}

variable "ami_name_pattern" {
  description = "Name pattern of the Ubuntu image to use when ami_id is empty"
  type        = string
  default     = "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"
}
