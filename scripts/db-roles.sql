-- The application's own PostgreSQL role: it reads and writes the portal's tables but owns
-- none of them, so it can neither TRUNCATE the audit trail nor ALTER TABLE ... DISABLE
-- TRIGGER, and it may only INSERT and SELECT audit entries.
--
-- Run it as the role that owns the tables (the one that runs `manage.py migrate`), after
-- migrating, on the portal's database:
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v app_role=counseling_app \
--        -v app_password='...' -f scripts/db-roles.sql        (or: make db-roles)
-- It is idempotent. The application then connects as app_role (its DATABASE_URL); only
-- migrations use the owner. Tables that later migrations create get the same rights through
-- the default privileges below (they must be created by the same owner).

SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'app_role')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app_role', :'app_password')
WHERE :'app_password' <> '' \gexec

SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), :'app_role') \gexec
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'app_role') \gexec
SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', :'app_role') \gexec
SELECT format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO %I', :'app_role') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', :'app_role') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', :'app_role') \gexec

-- The audit trail: append and read, nothing else.
SELECT format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON counseling_auditentry FROM %I', :'app_role') \gexec
-- Nobody but the owner may truncate anything.
SELECT format('REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM %I', :'app_role') \gexec
