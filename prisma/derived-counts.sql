-- Counts the database keeps for the paged reads (prisma/migrate.ts applies this after migrations;
-- the migrations subscription_tally and assigned_count first created them, with the same text):
-- SubscriptionTally (subscriptions per tenant, origin, product and status),
-- Subscription.assignedCount (licenses assigned on it), and PurchaserTally and ProductTally (a
-- product's live subscriptions, licenses and purchasers; migration product_tally). Rows at zero stay:
-- sums don't mind them.

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

-- PurchaserTally and ProductTally: a product's live subscriptions (Active, Trial) per tenant, with
-- their licenses, assigned licenses and purchasers. A subscription counts while it is live; its
-- amounts follow it (quantity, assignedCount); a purchaser counts while they hold one.
CREATE TRIGGER IF NOT EXISTS "Subscription_product_tally_insert" AFTER INSERT ON "Subscription"
    WHEN NEW."status" IN ('Active', 'Trial')
BEGIN
    INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count") VALUES (NEW."tenantId", NEW."productId", NEW."purchaserId", 1)
        ON CONFLICT ("tenantId", "productId", "purchaserId") DO UPDATE SET "count" = "count" + 1;
    INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
        VALUES (NEW."tenantId", NEW."productId", 1, NEW."quantity", NEW."assignedCount", 1)
        ON CONFLICT ("tenantId", "productId") DO UPDATE SET "subscriptions" = "subscriptions" + 1, "quantity" = "quantity" + NEW."quantity",
            "assigned" = "assigned" + NEW."assignedCount",
            "purchasers" = "purchasers" + COALESCE((SELECT p."count" = 1 FROM "PurchaserTally" p WHERE p."tenantId" = NEW."tenantId" AND p."productId" = NEW."productId" AND p."purchaserId" = NEW."purchaserId"), 0);
END;

CREATE TRIGGER IF NOT EXISTS "Subscription_product_tally_delete" AFTER DELETE ON "Subscription"
    WHEN OLD."status" IN ('Active', 'Trial')
BEGIN
    UPDATE "PurchaserTally" SET "count" = "count" - 1 WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId" AND "purchaserId" = OLD."purchaserId";
    UPDATE "ProductTally" SET "subscriptions" = "subscriptions" - 1, "quantity" = "quantity" - OLD."quantity", "assigned" = "assigned" - OLD."assignedCount",
            "purchasers" = "purchasers" - COALESCE((SELECT p."count" = 0 FROM "PurchaserTally" p WHERE p."tenantId" = OLD."tenantId" AND p."productId" = OLD."productId" AND p."purchaserId" = OLD."purchaserId"), 0)
        WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId";
END;

-- Moved (another tenant, product or purchaser) or into or out of the live statuses: out of the old
-- row's counts if it was live, into the new one's if it is.
CREATE TRIGGER IF NOT EXISTS "Subscription_product_tally_move" AFTER UPDATE OF "tenantId", "productId", "purchaserId", "status" ON "Subscription"
    WHEN OLD."tenantId" IS NOT NEW."tenantId" OR OLD."productId" IS NOT NEW."productId" OR OLD."purchaserId" IS NOT NEW."purchaserId"
        OR (OLD."status" IN ('Active', 'Trial')) IS NOT (NEW."status" IN ('Active', 'Trial'))
BEGIN
    UPDATE "PurchaserTally" SET "count" = "count" - 1
        WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId" AND "purchaserId" = OLD."purchaserId" AND OLD."status" IN ('Active', 'Trial');
    UPDATE "ProductTally" SET "subscriptions" = "subscriptions" - 1, "quantity" = "quantity" - OLD."quantity", "assigned" = "assigned" - OLD."assignedCount",
            "purchasers" = "purchasers" - COALESCE((SELECT p."count" = 0 FROM "PurchaserTally" p WHERE p."tenantId" = OLD."tenantId" AND p."productId" = OLD."productId" AND p."purchaserId" = OLD."purchaserId"), 0)
        WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId" AND OLD."status" IN ('Active', 'Trial');
    INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count") SELECT NEW."tenantId", NEW."productId", NEW."purchaserId", 1
        WHERE NEW."status" IN ('Active', 'Trial')
        ON CONFLICT ("tenantId", "productId", "purchaserId") DO UPDATE SET "count" = "count" + 1;
    INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
        SELECT NEW."tenantId", NEW."productId", 1, NEW."quantity", NEW."assignedCount", 1 WHERE NEW."status" IN ('Active', 'Trial')
        ON CONFLICT ("tenantId", "productId") DO UPDATE SET "subscriptions" = "subscriptions" + 1, "quantity" = "quantity" + NEW."quantity",
            "assigned" = "assigned" + NEW."assignedCount",
            "purchasers" = "purchasers" + COALESCE((SELECT p."count" = 1 FROM "PurchaserTally" p WHERE p."tenantId" = NEW."tenantId" AND p."productId" = NEW."productId" AND p."purchaserId" = NEW."purchaserId"), 0);
END;

-- Licenses bought or assigned on a live subscription that stays where it is: its amounts change.
CREATE TRIGGER IF NOT EXISTS "Subscription_product_tally_amounts" AFTER UPDATE OF "quantity", "assignedCount" ON "Subscription"
    WHEN (OLD."quantity" IS NOT NEW."quantity" OR OLD."assignedCount" IS NOT NEW."assignedCount") AND NEW."status" IN ('Active', 'Trial') AND OLD."status" IN ('Active', 'Trial')
        AND OLD."tenantId" IS NEW."tenantId" AND OLD."productId" IS NEW."productId" AND OLD."purchaserId" IS NEW."purchaserId"
BEGIN
    UPDATE "ProductTally" SET "quantity" = "quantity" + NEW."quantity" - OLD."quantity", "assigned" = "assigned" + NEW."assignedCount" - OLD."assignedCount"
        WHERE "tenantId" = NEW."tenantId" AND "productId" = NEW."productId";
END;
