variable "cluster_name" {
  description = "Name of the KKP master/seed cluster; prefixes every resource"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.cluster_name))
    error_message = "cluster_name must be 3 to 32 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "project" {
  description = "GCP project id the cluster lives in"
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project))
    error_message = "project must be a GCP project id (not its name or number), such as acme-platform."
  }
}

variable "region" {
  description = "GCP region of the cluster"
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]$", var.region))
    error_message = "region must be a GCP region name such as europe-west3."
  }
}

variable "subnet_cidr" {
  description = "CIDR of the cluster's subnetwork"
  type        = string
  default     = "10.80.0.0/20"

  validation {
    condition     = can(cidrnetmask(var.subnet_cidr))
    error_message = "subnet_cidr must be an IPv4 CIDR such as 10.80.0.0/20."
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

variable "control_plane_target_pool_members_count" {
  description = "Control-plane nodes behind the API load balancer; null: all of them. The pipeline sets it (scripts/kkp.sh, kkp_gcp_pool_members): 1 until KubeOne has provisioned the cluster, then terraform-api-pool adds the rest"
  type        = number
  default     = null

  validation {
    condition     = var.control_plane_target_pool_members_count == null ? true : var.control_plane_target_pool_members_count >= 1
    error_message = "control_plane_target_pool_members_count must be at least 1, or null for all control-plane nodes."
  }
}

variable "control_plane_type" {
  description = "Machine type of the control-plane nodes"
  type        = string
  default     = "n2-standard-2"
}

variable "control_plane_volume_size" {
  description = "Boot disk size of the control-plane nodes, in GB"
  type        = number
  default     = 100

  validation {
    condition     = var.control_plane_volume_size >= 50
    error_message = "control_plane_volume_size must be at least 50 GB."
  }
}

variable "control_plane_image_family" {
  description = "Image family of the control-plane nodes (the newest image of it is used when a node is created)"
  type        = string
  default     = "ubuntu-2404-lts-amd64"
}

variable "control_plane_image_project" {
  description = "Project publishing control_plane_image_family"
  type        = string
  default     = "ubuntu-os-cloud"
}

variable "worker_type" {
  description = "Machine type of the worker nodes KubeOne's machine-controller creates"
  type        = string
  default     = "n2-standard-4"
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
  description = "User KubeOne connects as; the key is installed for it through the instance metadata"
  type        = string
  default     = "kubeone"
}

variable "ssh_allowed_cidrs" {
  description = "Where SSH to the nodes is allowed from (the CI runners and your workstation)"
  type        = list(string)
  default     = ["0.0.0.0/0"]
}
