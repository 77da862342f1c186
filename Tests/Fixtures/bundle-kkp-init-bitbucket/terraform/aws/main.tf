locals {
  kube_cluster_tag = "kubernetes.io/cluster/${var.cluster_name}"
  # One subnet per availability zone, at most three.
  zones = slice(data.aws_availability_zones.available.names, 0, min(3, length(data.aws_availability_zones.available.names)))
  ami   = var.ami_id != "" ? var.ami_id : data.aws_ami.ubuntu[0].id
}

data "aws_availability_zones" "available" {
  state = "available"
}

data "aws_ami" "ubuntu" {
  count       = var.ami_id == "" ? 1 : 0
  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = [var.ami_name_pattern]
  }

  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

# Network: a VPC with a public subnet per zone; the nodes get public addresses so KubeOne can reach
# them over SSH from CI.

resource "aws_vpc" "cluster" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = {
    Name                     = var.cluster_name
    (local.kube_cluster_tag) = "shared"
  }
}

resource "aws_internet_gateway" "cluster" {
  vpc_id = aws_vpc.cluster.id

  tags = {
    Name = var.cluster_name
  }
}

resource "aws_subnet" "public" {
  count                   = length(local.zones)
  vpc_id                  = aws_vpc.cluster.id
  availability_zone       = local.zones[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  map_public_ip_on_launch = true

  tags = {
    Name                     = "${var.cluster_name}-${local.zones[count.index]}"
    (local.kube_cluster_tag) = "shared"
    "kubernetes.io/role/elb" = "1"
  }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.cluster.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.cluster.id
  }

  tags = {
    Name = var.cluster_name
  }
}

resource "aws_route_table_association" "public" {
  count          = length(local.zones)
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# Security: nodes talk to each other freely; SSH from the allowed CIDRs; the API from anywhere, through
# the load balancer.

resource "aws_security_group" "cluster" {
  name        = "${var.cluster_name}-nodes"
  description = "KKP master/seed cluster nodes"
  vpc_id      = aws_vpc.cluster.id

  ingress {
    description = "Node to node"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    self        = true
  }

  ingress {
    description = "SSH for KubeOne"
    protocol    = "tcp"
    from_port   = 22
    to_port     = 22
    cidr_blocks = var.ssh_allowed_cidrs
  }

  ingress {
    description = "Kubernetes API, through the load balancer"
    protocol    = "tcp"
    from_port   = 6443
    to_port     = 6443
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    description = "Everything out"
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name                     = "${var.cluster_name}-nodes"
    (local.kube_cluster_tag) = "shared"
  }
}

# Identity: the nodes run the AWS cloud provider and machine-controller, which manage load
# balancers, volumes and worker instances.

data "aws_iam_policy_document" "assume_by_ec2" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "control_plane" {
  statement {
    actions = [
      "autoscaling:Describe*",
      "ec2:*",
      "elasticloadbalancing:*",
      "iam:CreateServiceLinkedRole",
      "kms:DescribeKey",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role" "control_plane" {
  name               = "${var.cluster_name}-control-plane"
  assume_role_policy = data.aws_iam_policy_document.assume_by_ec2.json
}

resource "aws_iam_role_policy" "control_plane" {
  name   = "${var.cluster_name}-control-plane"
  role   = aws_iam_role.control_plane.id
  policy = data.aws_iam_policy_document.control_plane.json
}

resource "aws_iam_instance_profile" "control_plane" {
  name = "${var.cluster_name}-control-plane"
  role = aws_iam_role.control_plane.name
}

# Workers need far less: the cloud provider on them only describes instances.
data "aws_iam_policy_document" "worker" {
  statement {
    actions   = ["ec2:DescribeInstances", "ec2:DescribeRegions"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "worker" {
  name               = "${var.cluster_name}-worker"
  assume_role_policy = data.aws_iam_policy_document.assume_by_ec2.json
}

resource "aws_iam_role_policy" "worker" {
  name   = "${var.cluster_name}-worker"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}

resource "aws_iam_instance_profile" "worker" {
  name = "${var.cluster_name}-worker"
  role = aws_iam_role.worker.name
}

resource "aws_key_pair" "deployer" {
  key_name   = "${var.cluster_name}-deployer"
  public_key = var.ssh_public_key
}

# The control plane, one node per zone in turn.

resource "aws_instance" "control_plane" {
  count                  = var.control_plane_count
  ami                    = local.ami
  instance_type          = var.control_plane_type
  subnet_id              = aws_subnet.public[count.index % length(local.zones)].id
  vpc_security_group_ids = [aws_security_group.cluster.id]
  iam_instance_profile   = aws_iam_instance_profile.control_plane.name
  key_name               = aws_key_pair.deployer.key_name

  root_block_device {
    volume_type = "gp3"
    volume_size = var.control_plane_volume_size
    encrypted   = true
  }

  metadata_options {
    http_tokens = "required"
  }

  tags = {
    Name                     = "${var.cluster_name}-cp-${count.index + 1}"
    (local.kube_cluster_tag) = "shared"
  }

  lifecycle {
    # A newer image must not replace a running control-plane node; KubeOne upgrades in place.
    ignore_changes = [ami]
  }
}

# The API endpoint: a network load balancer over the control plane.

resource "aws_lb" "api" {
  name               = "${var.cluster_name}-api"
  load_balancer_type = "network"
  internal           = false
  subnets            = aws_subnet.public[*].id

  tags = {
    (local.kube_cluster_tag) = "shared"
  }
}

resource "aws_lb_target_group" "api" {
  name     = "${var.cluster_name}-api"
  port     = 6443
  protocol = "TCP"
  vpc_id   = aws_vpc.cluster.id

  health_check {
    protocol = "TCP"
    port     = "6443"
  }
}

resource "aws_lb_listener" "api" {
  load_balancer_arn = aws_lb.api.arn
  port              = 6443
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.api.arn
  }
}

resource "aws_lb_target_group_attachment" "api" {
  count            = var.control_plane_count
  target_group_arn = aws_lb_target_group.api.arn
  target_id        = aws_instance.control_plane[count.index].id
  port             = 6443
}
