#!/usr/bin/env bash
# Creates the S3 bucket that holds this repository's Terraform state, when it is missing, and makes
# sure it is versioned, encrypted, closed to the public and reachable over TLS only. Every setting
# is read first and written only when it differs, so a second run changes nothing and says so.
#
# Usage: TF_STATE_BUCKET=<bucket> AWS_REGION=<region> bash terraform/aws/prepare-backend.sh
# Needs the aws CLI and credentials allowed to create and configure the bucket.
set -euo pipefail

bucket=${TF_STATE_BUCKET:?set TF_STATE_BUCKET to the state bucket (backend.hcl names it)}
region=${AWS_REGION:?set AWS_REGION to the bucket region (backend.hcl names it)}
changed=0

if aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  echo "state bucket $bucket: exists"
else
  if [[ $region == us-east-1 ]]; then
    aws s3api create-bucket --bucket "$bucket" >/dev/null
  else
    aws s3api create-bucket --bucket "$bucket" --create-bucket-configuration "LocationConstraint=$region" >/dev/null
  fi
  echo "state bucket $bucket: created in $region"
  changed=1
fi

# Versioning: every state Terraform wrote stays recoverable.
if [[ $(aws s3api get-bucket-versioning --bucket "$bucket" --query Status --output text) == Enabled ]]; then
  echo "versioning: already on"
else
  aws s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
  echo "versioning: turned on"
  changed=1
fi

# Encryption at rest.
encryption=$(aws s3api get-bucket-encryption --bucket "$bucket" \
  --query 'ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm' \
  --output text 2>/dev/null || true)
if [[ $encryption == AES256 || $encryption == aws:kms ]]; then
  echo "encryption: already $encryption"
else
  aws s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}'
  echo "encryption: turned on (AES256)"
  changed=1
fi

# No public access, whatever a later policy or ACL says.
blocked=$(aws s3api get-public-access-block --bucket "$bucket" --output text \
  --query '[PublicAccessBlockConfiguration.BlockPublicAcls, PublicAccessBlockConfiguration.IgnorePublicAcls, PublicAccessBlockConfiguration.BlockPublicPolicy, PublicAccessBlockConfiguration.RestrictPublicBuckets]' \
  2>/dev/null || true)
if [[ $(echo "$blocked" | tr -s '[:space:]' ' ' | sed 's/ *$//') == "True True True True" ]]; then
  echo "public access: already blocked"
else
  aws s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  echo "public access: blocked"
  changed=1
fi

# TLS only: a request over plain HTTP is denied.
policy=$(printf '{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}' "$bucket" "$bucket")
current=$(aws s3api get-bucket-policy --bucket "$bucket" --query Policy --output text 2>/dev/null || true)
if [[ $current == *'"Sid":"TLSOnly"'* || $current == *'"Sid": "TLSOnly"'* ]]; then
  echo "TLS only: already required"
else
  aws s3api put-bucket-policy --bucket "$bucket" --policy "$policy"
  echo "TLS only: required"
  changed=1
fi

if ((changed)); then echo "state bucket $bucket is ready"; else echo "state bucket $bucket was already ready: nothing changed"; fi
