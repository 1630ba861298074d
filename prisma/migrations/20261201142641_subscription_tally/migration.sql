-- CreateTable
CREATE TABLE "SubscriptionTally" (
    "tenantId" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    PRIMARY KEY ("tenantId", "origin", "productId", "status")
);

-- Kept by the database itself, so that every writer (the repositories, a bulk import, a test's
-- createMany) keeps it right. Rows at zero stay: a sum doesn't mind them.
CREATE TRIGGER "Subscription_tally_insert" AFTER INSERT ON "Subscription"
BEGIN
    INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count") VALUES (NEW."tenantId", NEW."origin", NEW."productId", NEW."status", 1)
        ON CONFLICT ("tenantId", "origin", "productId", "status") DO UPDATE SET "count" = "count" + 1;
END;

CREATE TRIGGER "Subscription_tally_delete" AFTER DELETE ON "Subscription"
BEGIN
    UPDATE "SubscriptionTally" SET "count" = "count" - 1
        WHERE "tenantId" = OLD."tenantId" AND "origin" = OLD."origin" AND "productId" = OLD."productId" AND "status" = OLD."status";
END;

CREATE TRIGGER "Subscription_tally_update" AFTER UPDATE OF "tenantId", "origin", "productId", "status" ON "Subscription"
    WHEN OLD."tenantId" IS NOT NEW."tenantId" OR OLD."origin" IS NOT NEW."origin" OR OLD."productId" IS NOT NEW."productId" OR OLD."status" IS NOT NEW."status"
BEGIN
    UPDATE "SubscriptionTally" SET "count" = "count" - 1
        WHERE "tenantId" = OLD."tenantId" AND "origin" = OLD."origin" AND "productId" = OLD."productId" AND "status" = OLD."status";
    INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count") VALUES (NEW."tenantId", NEW."origin", NEW."productId", NEW."status", 1)
        ON CONFLICT ("tenantId", "origin", "productId", "status") DO UPDATE SET "count" = "count" + 1;
END;

-- The subscriptions already stored.
INSERT INTO "SubscriptionTally" ("tenantId", "origin", "productId", "status", "count")
SELECT "tenantId", "origin", "productId", "status", COUNT(*) FROM "Subscription" GROUP BY "tenantId", "origin", "productId", "status";
