-- CreateTable
CREATE TABLE "PurchaserTally" (
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "purchaserId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("tenantId", "productId", "purchaserId")
);

-- CreateTable
CREATE TABLE "ProductTally" (
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "subscriptions" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "assigned" INTEGER NOT NULL,
    "purchasers" INTEGER NOT NULL,

    PRIMARY KEY ("tenantId", "productId")
);

-- The counts of what is there already; the triggers keep them from here on (prisma/derived-counts.sql).

INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count")
    SELECT "tenantId", "productId", "purchaserId", COUNT(*) FROM "Subscription" WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId", "purchaserId";
INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
    SELECT "tenantId", "productId", COUNT(*), SUM("quantity"), SUM("assignedCount"), COUNT(DISTINCT "purchaserId") FROM "Subscription"
    WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId";
-- PurchaserTally and ProductTally: a product's live subscriptions (Active, Trial) per tenant, with
-- their licenses, assigned licenses and purchasers. A subscription counts while it is live; its
-- amounts follow it (quantity, assignedCount); a purchaser counts while they hold one.
CREATE TRIGGER "Subscription_product_tally_insert" AFTER INSERT ON "Subscription"
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

CREATE TRIGGER "Subscription_product_tally_delete" AFTER DELETE ON "Subscription"
    WHEN OLD."status" IN ('Active', 'Trial')
BEGIN
    UPDATE "PurchaserTally" SET "count" = "count" - 1 WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId" AND "purchaserId" = OLD."purchaserId";
    UPDATE "ProductTally" SET "subscriptions" = "subscriptions" - 1, "quantity" = "quantity" - OLD."quantity", "assigned" = "assigned" - OLD."assignedCount",
            "purchasers" = "purchasers" - COALESCE((SELECT p."count" = 0 FROM "PurchaserTally" p WHERE p."tenantId" = OLD."tenantId" AND p."productId" = OLD."productId" AND p."purchaserId" = OLD."purchaserId"), 0)
        WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId";
END;

-- Moved (another tenant, product or purchaser) or into or out of the live statuses: out of the old
-- row's counts if it was live, into the new one's if it is.
CREATE TRIGGER "Subscription_product_tally_move" AFTER UPDATE OF "tenantId", "productId", "purchaserId", "status" ON "Subscription"
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
CREATE TRIGGER "Subscription_product_tally_amounts" AFTER UPDATE OF "quantity", "assignedCount" ON "Subscription"
    WHEN (OLD."quantity" IS NOT NEW."quantity" OR OLD."assignedCount" IS NOT NEW."assignedCount") AND NEW."status" IN ('Active', 'Trial') AND OLD."status" IN ('Active', 'Trial')
        AND OLD."tenantId" IS NEW."tenantId" AND OLD."productId" IS NEW."productId" AND OLD."purchaserId" IS NEW."purchaserId"
BEGIN
    UPDATE "ProductTally" SET "quantity" = "quantity" + NEW."quantity" - OLD."quantity", "assigned" = "assigned" + NEW."assignedCount" - OLD."assignedCount"
        WHERE "tenantId" = NEW."tenantId" AND "productId" = NEW."productId";
END;
