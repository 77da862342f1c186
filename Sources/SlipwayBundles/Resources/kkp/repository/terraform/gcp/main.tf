locals {
  # The region's zones, at most three; control-plane nodes go to them in turn.
  zones = slice(data.google_compute_zones.available.names, 0, min(3, length(data.google_compute_zones.available.names)))
  pool_members = min(
    coalesce(var.control_plane_target_pool_members_count, var.control_plane_count),
    var.control_plane_count,
  )
  # Google's probes for a target pool's legacy HTTP health checks come from these ranges.
  health_check_ranges = ["35.191.0.0/16", "209.85.152.0/22", "209.85.204.0/22"]
}

data "google_compute_zones" "available" {
  region = var.region
  status = "UP"
}

data "google_compute_image" "control_plane" {
  family  = var.control_plane_image_family
  project = var.control_plane_image_project
}

# Network: a VPC of the cluster's own with one subnetwork; the nodes get public addresses so KubeOne
# can reach them over SSH from CI.

resource "google_compute_network" "cluster" {
  name                    = var.cluster_name
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "cluster" {
  name          = var.cluster_name
  network       = google_compute_network.cluster.id
  region        = var.region
  ip_cidr_range = var.subnet_cidr
}

# Firewall: nodes talk to each other freely; SSH from the allowed CIDRs; the API from anywhere,
# through the load balancer; NodePorts; Google's health-check probes.

resource "google_compute_firewall" "internal" {
  name          = "${var.cluster_name}-internal"
  network       = google_compute_network.cluster.id
  description   = "Node to node"
  source_ranges = [var.subnet_cidr]

  allow {
    protocol = "tcp"
  }

  allow {
    protocol = "udp"
  }

  allow {
    protocol = "icmp"
  }
}

resource "google_compute_firewall" "ssh" {
  name          = "${var.cluster_name}-ssh"
  network       = google_compute_network.cluster.id
  description   = "SSH for KubeOne"
  source_ranges = var.ssh_allowed_cidrs

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_compute_firewall" "api" {
  name          = "${var.cluster_name}-api"
  network       = google_compute_network.cluster.id
  description   = "Kubernetes API, through the load balancer (a passthrough one: clients reach the nodes)"
  source_ranges = ["0.0.0.0/0"]

  allow {
    protocol = "tcp"
    ports    = ["6443"]
  }
}

resource "google_compute_firewall" "nodeports" {
  name          = "${var.cluster_name}-nodeports"
  network       = google_compute_network.cluster.id
  description   = "NodePort services (KKP's nodeport-proxy and ingress load balancers)"
  source_ranges = ["0.0.0.0/0"]

  allow {
    protocol = "tcp"
    ports    = ["30000-32767"]
  }
}

resource "google_compute_firewall" "health_checks" {
  name          = "${var.cluster_name}-health-checks"
  network       = google_compute_network.cluster.id
  description   = "Google's load balancer health checks (kube-proxy's health endpoint)"
  source_ranges = local.health_check_ranges

  allow {
    protocol = "tcp"
    ports    = ["10256"]
  }
}

# Identity: the nodes run as a service account of their own, with no role. The cloud controller and
# machine-controller use the key KubeOne stores in the cluster (KUBEONE_GOOGLE_CREDENTIALS), not
# the nodes' identity, so a node that is broken into holds no project-wide rights.

resource "google_service_account" "nodes" {
  account_id   = "${var.cluster_name}-nodes"
  display_name = "KKP ${var.cluster_name} nodes"
}

# The control plane, one node per zone in turn.

resource "google_compute_instance" "control_plane" {
  count                     = var.control_plane_count
  name                      = "${var.cluster_name}-cp-${count.index + 1}"
  machine_type              = var.control_plane_type
  zone                      = local.zones[count.index % length(local.zones)]
  allow_stopping_for_update = true

  boot_disk {
    initialize_params {
      image = data.google_compute_image.control_plane.self_link
      size  = var.control_plane_volume_size
      type  = "pd-balanced"
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.cluster.id

    access_config {
    }
  }

  metadata = {
    ssh-keys               = "${var.ssh_username}:${var.ssh_public_key}"
    block-project-ssh-keys = "true"
  }

  service_account {
    email  = google_service_account.nodes.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_integrity_monitoring = true
  }

  labels = {
    "kubeone-role" = "control-plane"
  }

  lifecycle {
    # A newer image must not replace a running control-plane node; KubeOne upgrades in place.
    ignore_changes = [boot_disk[0].initialize_params[0].image]
  }
}

# The API endpoint: a passthrough network load balancer (target pool) over the control plane.
#
# A passthrough load balancer hands a node's own calls to the endpoint back to that node. While
# KubeOne provisions the cluster only the first node serves the API, so the others must not be
# members yet, or they would call themselves and fail to join (KubeOne's GCE guide). The pipeline
# therefore starts with one member and adds the rest once kubeone-apply succeeded
# (terraform-api-pool); see control_plane_target_pool_members_count.

resource "google_compute_address" "api" {
  name   = "${var.cluster_name}-api"
  region = var.region
}

resource "google_compute_http_health_check" "control_plane" {
  name               = "${var.cluster_name}-control-plane"
  port               = 10256
  request_path       = "/healthz"
  timeout_sec        = 3
  check_interval_sec = 5
}

resource "google_compute_target_pool" "control_plane" {
  name          = "${var.cluster_name}-control-plane"
  region        = var.region
  instances     = slice(google_compute_instance.control_plane[*].self_link, 0, local.pool_members)
  health_checks = [google_compute_http_health_check.control_plane.self_link]
}

resource "google_compute_forwarding_rule" "api" {
  name       = "${var.cluster_name}-api"
  region     = var.region
  target     = google_compute_target_pool.control_plane.self_link
  ip_address = google_compute_address.api.address
  port_range = "6443-6443"
}
