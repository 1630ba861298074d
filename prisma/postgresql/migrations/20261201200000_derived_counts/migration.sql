-- Beyond the Prisma schema (which has no triggers).
-- Counts the database keeps for the paged reads, as prisma/derived-counts.sql keeps them on SQLite:
-- SubscriptionTally (subscriptions per tenant, origin, product and status) and
-- Subscription.assignedCount (licenses assigned on it). Rows at zero stay: sums don't mind them.
-- Each count changes by one row update inside the writing transaction: concurrent writers of one
-- counter wait on its row lock, never lose an update.

CREATE FUNCTION "subscription_tally"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE "SubscriptionTally" SET "count" = "count" - 1
            WHERE "tenantId" = OLD."tenantId" AND "origin" = OLD."origin" AND "productId" = OLD."productId" AND "status" = OLD."status";
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count") VALUES (NEW."tenantId", NEW."origin", NEW."productId", NEW."status", 1)
            ON CONFLICT ("tenantId", "origin", "productId", "status") DO UPDATE SET "count" = "SubscriptionTally"."count" + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Subscription_tally_insert" AFTER INSERT ON "Subscription"
    FOR EACH ROW EXECUTE FUNCTION "subscription_tally"();
CREATE TRIGGER "Subscription_tally_delete" AFTER DELETE ON "Subscription"
    FOR EACH ROW EXECUTE FUNCTION "subscription_tally"();
CREATE TRIGGER "Subscription_tally_update" AFTER UPDATE OF "tenantId", "origin", "productId", "status" ON "Subscription"
    FOR EACH ROW WHEN (OLD."tenantId" IS DISTINCT FROM NEW."tenantId" OR OLD."origin" IS DISTINCT FROM NEW."origin" OR OLD."productId" IS DISTINCT FROM NEW."productId" OR OLD."status" IS DISTINCT FROM NEW."status")
    EXECUTE FUNCTION "subscription_tally"();

CREATE FUNCTION "license_assignment_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE "Subscription" SET "assignedCount" = "assignedCount" - 1 WHERE "tenantId" = OLD."tenantId" AND "id" = OLD."subscriptionId";
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE "Subscription" SET "assignedCount" = "assignedCount" + 1 WHERE "tenantId" = NEW."tenantId" AND "id" = NEW."subscriptionId";
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "LicenseAssignment_count_insert" AFTER INSERT ON "LicenseAssignment"
    FOR EACH ROW EXECUTE FUNCTION "license_assignment_count"();
CREATE TRIGGER "LicenseAssignment_count_delete" AFTER DELETE ON "LicenseAssignment"
    FOR EACH ROW EXECUTE FUNCTION "license_assignment_count"();
CREATE TRIGGER "LicenseAssignment_count_update" AFTER UPDATE OF "tenantId", "subscriptionId" ON "LicenseAssignment"
    FOR EACH ROW WHEN (OLD."tenantId" IS DISTINCT FROM NEW."tenantId" OR OLD."subscriptionId" IS DISTINCT FROM NEW."subscriptionId")
    EXECUTE FUNCTION "license_assignment_count"();
