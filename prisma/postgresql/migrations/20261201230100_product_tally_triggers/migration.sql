-- Beyond the Prisma schema (which has no triggers).
-- PurchaserTally and ProductTally, as prisma/derived-counts.sql keeps them on SQLite: a product's live
-- subscriptions (Active, Trial) per tenant, with their licenses, assigned licenses and purchasers. A
-- subscription counts while it is live; its amounts follow it (quantity, assignedCount); a purchaser
-- counts while they hold one. Each count changes by row updates inside the writing transaction:
-- concurrent writers of one product wait on its row lock, never lose an update.

CREATE FUNCTION "product_tally"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held integer;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD."tenantId" = NEW."tenantId" AND OLD."productId" = NEW."productId" AND OLD."purchaserId" = NEW."purchaserId"
            AND (OLD."status" IN ('Active', 'Trial')) = (NEW."status" IN ('Active', 'Trial')) THEN
            -- Where it was: only its amounts can have changed.
            IF NEW."status" IN ('Active', 'Trial') THEN
                UPDATE "ProductTally" SET "quantity" = "quantity" + NEW."quantity" - OLD."quantity", "assigned" = "assigned" + NEW."assignedCount" - OLD."assignedCount"
                    WHERE "tenantId" = NEW."tenantId" AND "productId" = NEW."productId";
            END IF;
            RETURN NULL;
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD."status" IN ('Active', 'Trial') THEN
            UPDATE "PurchaserTally" SET "count" = "count" - 1
                WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId" AND "purchaserId" = OLD."purchaserId"
                RETURNING "count" INTO held;
            UPDATE "ProductTally" SET "subscriptions" = "subscriptions" - 1, "quantity" = "quantity" - OLD."quantity", "assigned" = "assigned" - OLD."assignedCount",
                    "purchasers" = "purchasers" - CASE WHEN held = 0 THEN 1 ELSE 0 END
                WHERE "tenantId" = OLD."tenantId" AND "productId" = OLD."productId";
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        IF NEW."status" IN ('Active', 'Trial') THEN
            INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count") VALUES (NEW."tenantId", NEW."productId", NEW."purchaserId", 1)
                ON CONFLICT ("tenantId", "productId", "purchaserId") DO UPDATE SET "count" = "PurchaserTally"."count" + 1
                RETURNING "count" INTO held;
            INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
                VALUES (NEW."tenantId", NEW."productId", 1, NEW."quantity", NEW."assignedCount", 1)
                ON CONFLICT ("tenantId", "productId") DO UPDATE SET "subscriptions" = "ProductTally"."subscriptions" + 1,
                    "quantity" = "ProductTally"."quantity" + EXCLUDED."quantity", "assigned" = "ProductTally"."assigned" + EXCLUDED."assigned",
                    "purchasers" = "ProductTally"."purchasers" + CASE WHEN held = 1 THEN 1 ELSE 0 END;
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Subscription_product_tally_insert" AFTER INSERT ON "Subscription"
    FOR EACH ROW EXECUTE FUNCTION "product_tally"();
CREATE TRIGGER "Subscription_product_tally_delete" AFTER DELETE ON "Subscription"
    FOR EACH ROW EXECUTE FUNCTION "product_tally"();
CREATE TRIGGER "Subscription_product_tally_update" AFTER UPDATE OF "tenantId", "productId", "purchaserId", "status", "quantity", "assignedCount" ON "Subscription"
    FOR EACH ROW WHEN (OLD."tenantId" IS DISTINCT FROM NEW."tenantId" OR OLD."productId" IS DISTINCT FROM NEW."productId" OR OLD."purchaserId" IS DISTINCT FROM NEW."purchaserId"
        OR OLD."status" IS DISTINCT FROM NEW."status" OR OLD."quantity" IS DISTINCT FROM NEW."quantity" OR OLD."assignedCount" IS DISTINCT FROM NEW."assignedCount")
    EXECUTE FUNCTION "product_tally"();

-- The counts of what is there already.

INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count")
    SELECT "tenantId", "productId", "purchaserId", COUNT(*) FROM "Subscription" WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId", "purchaserId";
INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
    SELECT "tenantId", "productId", COUNT(*), SUM("quantity"), SUM("assignedCount"), COUNT(DISTINCT "purchaserId") FROM "Subscription"
    WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId";
