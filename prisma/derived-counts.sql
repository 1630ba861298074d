-- Counts the database keeps for the paged reads (prisma/migrate.ts applies this after migrations;
-- the migrations subscription_tally and assigned_count first created them, with the same text):
-- SubscriptionTally (subscriptions per tenant, origin, product and status) and
-- Subscription.assignedCount (licenses assigned on it). Rows at zero stay: sums don't mind them.

CREATE TRIGGER IF NOT EXISTS "Subscription_tally_insert" AFTER INSERT ON "Subscription"
BEGIN
    INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count") VALUES (NEW."tenantId", NEW."origin", NEW."productId", NEW."status", 1)
        ON CONFLICT ("tenantId", "origin", "productId", "status") DO UPDATE SET "count" = "count" + 1;
END;

CREATE TRIGGER IF NOT EXISTS "Subscription_tally_delete" AFTER DELETE ON "Subscription"
BEGIN
    UPDATE "SubscriptionTally" SET "count" = "count" - 1
        WHERE "tenantId" = OLD."tenantId" AND "origin" = OLD."origin" AND "productId" = OLD."productId" AND "status" = OLD."status";
END;

CREATE TRIGGER IF NOT EXISTS "Subscription_tally_update" AFTER UPDATE OF "tenantId", "origin", "productId", "status" ON "Subscription"
    WHEN OLD."tenantId" IS NOT NEW."tenantId" OR OLD."origin" IS NOT NEW."origin" OR OLD."productId" IS NOT NEW."productId" OR OLD."status" IS NOT NEW."status"
BEGIN
    UPDATE "SubscriptionTally" SET "count" = "count" - 1
        WHERE "tenantId" = OLD."tenantId" AND "origin" = OLD."origin" AND "productId" = OLD."productId" AND "status" = OLD."status";
    INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count") VALUES (NEW."tenantId", NEW."origin", NEW."productId", NEW."status", 1)
        ON CONFLICT ("tenantId", "origin", "productId", "status") DO UPDATE SET "count" = "count" + 1;
END;

CREATE TRIGGER IF NOT EXISTS "LicenseAssignment_count_insert" AFTER INSERT ON "LicenseAssignment"
BEGIN
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" + 1 WHERE "tenantId" = NEW."tenantId" AND "id" = NEW."subscriptionId";
END;

CREATE TRIGGER IF NOT EXISTS "LicenseAssignment_count_delete" AFTER DELETE ON "LicenseAssignment"
BEGIN
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" - 1 WHERE "tenantId" = OLD."tenantId" AND "id" = OLD."subscriptionId";
END;

CREATE TRIGGER IF NOT EXISTS "LicenseAssignment_count_update" AFTER UPDATE OF "tenantId", "subscriptionId" ON "LicenseAssignment"
    WHEN OLD."tenantId" IS NOT NEW."tenantId" OR OLD."subscriptionId" IS NOT NEW."subscriptionId"
BEGIN
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" - 1 WHERE "tenantId" = OLD."tenantId" AND "id" = OLD."subscriptionId";
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" + 1 WHERE "tenantId" = NEW."tenantId" AND "id" = NEW."subscriptionId";
END;
