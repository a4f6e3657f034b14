#!/bin/sh
# Run once by the PostgreSQL image on an empty data volume: the roles of docs/deployment.md
# ("Roles: an owner for the schema, a least-privileged role for the API"). The passwords are read from the
# pgpass files the instances are given (host:port:database:user:password).
set -eu
password() { cut -d: -f5- "/run/secrets/$1"; }
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$(password consent-owner.pgpass)" \
  -v api_password="$(password consent-api.pgpass)" \
  -v identity_password="$(password identity.pgpass)" \
  -v portal_password="$(password portal.pgpass)" <<'SQL'
CREATE ROLE consent_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE consent_api LOGIN PASSWORD :'api_password';
CREATE DATABASE consent OWNER consent_owner;
-- Identity and the portal each own their database (no append-only tables there; they migrate it at start).
CREATE ROLE consent_identity LOGIN PASSWORD :'identity_password';
CREATE DATABASE identity OWNER consent_identity;
CREATE ROLE consent_portal LOGIN PASSWORD :'portal_password';
CREATE DATABASE portal OWNER consent_portal;
-- A hung instance's lease on the tree ends within 30 s (docs/deployment.md, leader election).
ALTER ROLE consent_api SET idle_session_timeout = '30s';
SQL
