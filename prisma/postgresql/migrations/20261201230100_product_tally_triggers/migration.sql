-- Beyond the Prisma schema (which has no triggers).
-- PurchaserTally and ProductTally, as prisma/derived-counts.sql keeps them on SQLite: a product's live
-- subscriptions (Active, Trial) per tenant, with their licenses, assigned licenses and purchasers. A
-- subscription counts while it is live; its amounts follow it (quantity, assignedCount); a purchaser
-- counts while they hold one.
--
-- Kept once per statement, from its transition tables, not once per row: a statement that inserts a
-- thousand assignments changes each subscription's assignedCount once and each product's tally once.
-- (Row by row, one transaction changing one tally row thousands of times leaves thousands of versions
-- of it that every later change walks through.) Subscription.assignedCount moves to the same form.
-- Concurrent writers of one product wait on its row lock, never lose an update.

-- Applies a statement's changes, as signed rows (n: +1 a live subscription in, -1 one out; q and a its
-- quantity and assigned licenses, signed alike), to both tallies.
-- (PL/pgSQL, not SQL: its statements' plans are kept for the session, where an SQL function is planned
-- again on every call.)
CREATE FUNCTION "apply_product_tally"(delta jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF jsonb_array_length(delta) = 0 THEN
        RETURN;
    END IF;
    WITH d AS (
        SELECT x."tenantId", x."productId", x."purchaserId", x.n, x.q, x.a
        FROM jsonb_to_recordset(delta) AS x("tenantId" text, "productId" text, "purchaserId" text, n integer, q integer, a integer)),
    per_purchaser AS (
        SELECT "tenantId", "productId", "purchaserId", SUM(n)::integer AS n FROM d GROUP BY 1, 2, 3 HAVING SUM(n) <> 0),
    held AS (
        INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count")
            SELECT "tenantId", "productId", "purchaserId", n FROM per_purchaser
            ON CONFLICT ("tenantId", "productId", "purchaserId") DO UPDATE SET "count" = "PurchaserTally"."count" + EXCLUDED."count"
            RETURNING "tenantId", "productId", "purchaserId", "count"),
    -- A purchaser joins a product's holders when their count leaves zero, leaves when it comes back to it.
    holders AS (
        SELECT h."tenantId", h."productId",
               SUM(CASE WHEN h."count" > 0 AND h."count" - p.n <= 0 THEN 1 WHEN h."count" <= 0 AND h."count" - p.n > 0 THEN -1 ELSE 0 END)::integer AS joined
        FROM held h JOIN per_purchaser p USING ("tenantId", "productId", "purchaserId") GROUP BY 1, 2),
    per_product AS (
        SELECT "tenantId", "productId", SUM(n)::integer AS n, SUM(q)::integer AS q, SUM(a)::integer AS a FROM d GROUP BY 1, 2)
    INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
        SELECT p."tenantId", p."productId", p.n, p.q, p.a, COALESCE(h.joined, 0)
        FROM per_product p LEFT JOIN holders h USING ("tenantId", "productId")
        WHERE p.n <> 0 OR p.q <> 0 OR p.a <> 0 OR COALESCE(h.joined, 0) <> 0
        ON CONFLICT ("tenantId", "productId") DO UPDATE SET
            "subscriptions" = "ProductTally"."subscriptions" + EXCLUDED."subscriptions",
            "quantity" = "ProductTally"."quantity" + EXCLUDED."quantity",
            "assigned" = "ProductTally"."assigned" + EXCLUDED."assigned",
            "purchasers" = "ProductTally"."purchasers" + EXCLUDED."purchasers";
END;
$$;

CREATE FUNCTION "product_tally_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "apply_product_tally"((
        SELECT COALESCE(jsonb_agg(jsonb_build_object('tenantId', "tenantId", 'productId', "productId", 'purchaserId', "purchaserId", 'n', 1, 'q', "quantity", 'a', "assignedCount")), '[]')
        FROM "added" WHERE "status" IN ('Active', 'Trial')));
    RETURN NULL;
END;
$$;

CREATE FUNCTION "product_tally_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "apply_product_tally"((
        SELECT COALESCE(jsonb_agg(jsonb_build_object('tenantId', "tenantId", 'productId', "productId", 'purchaserId', "purchaserId", 'n', -1, 'q', -"quantity", 'a', -"assignedCount")), '[]')
        FROM "removed" WHERE "status" IN ('Active', 'Trial')));
    RETURN NULL;
END;
$$;

-- Out of the old row's counts if it was live, into the new one's if it is; rows whose tally columns
-- did not change (most updates: a renewal date, a version) add nothing.
CREATE FUNCTION "product_tally_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "apply_product_tally"((
        SELECT COALESCE(jsonb_agg(x), '[]') FROM (
            SELECT jsonb_build_object('tenantId', o."tenantId", 'productId', o."productId", 'purchaserId', o."purchaserId", 'n', -1, 'q', -o."quantity", 'a', -o."assignedCount") AS x
            FROM "before" o JOIN "after" n ON n."id" = o."id"
            WHERE o."status" IN ('Active', 'Trial') AND (o."tenantId", o."productId", o."purchaserId", o."status", o."quantity", o."assignedCount")
                IS DISTINCT FROM (n."tenantId", n."productId", n."purchaserId", n."status", n."quantity", n."assignedCount")
            UNION ALL
            SELECT jsonb_build_object('tenantId', n."tenantId", 'productId', n."productId", 'purchaserId', n."purchaserId", 'n', 1, 'q', n."quantity", 'a', n."assignedCount")
            FROM "before" o JOIN "after" n ON n."id" = o."id"
            WHERE n."status" IN ('Active', 'Trial') AND (o."tenantId", o."productId", o."purchaserId", o."status", o."quantity", o."assignedCount")
                IS DISTINCT FROM (n."tenantId", n."productId", n."purchaserId", n."status", n."quantity", n."assignedCount")) changed));
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Subscription_product_tally_insert" AFTER INSERT ON "Subscription"
    REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "product_tally_insert"();
CREATE TRIGGER "Subscription_product_tally_delete" AFTER DELETE ON "Subscription"
    REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "product_tally_delete"();
CREATE TRIGGER "Subscription_product_tally_update" AFTER UPDATE ON "Subscription"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "after" FOR EACH STATEMENT EXECUTE FUNCTION "product_tally_update"();

-- Subscription.assignedCount, once per statement too (it was row by row: derived_counts).
DROP TRIGGER "LicenseAssignment_count_insert" ON "LicenseAssignment";
DROP TRIGGER "LicenseAssignment_count_delete" ON "LicenseAssignment";
DROP TRIGGER "LicenseAssignment_count_update" ON "LicenseAssignment";
DROP FUNCTION "license_assignment_count"();

CREATE FUNCTION "apply_assigned_count"(delta jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF jsonb_array_length(delta) = 0 THEN
        RETURN;
    END IF;
    UPDATE "Subscription" s SET "assignedCount" = s."assignedCount" + d.n
    FROM (SELECT x."tenantId", x."subscriptionId", SUM(x.n)::integer AS n
          FROM jsonb_to_recordset(delta) AS x("tenantId" text, "subscriptionId" text, n integer) GROUP BY 1, 2 HAVING SUM(x.n) <> 0) d
    WHERE s."tenantId" = d."tenantId" AND s."id" = d."subscriptionId";
END;
$$;

CREATE FUNCTION "assigned_count_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "apply_assigned_count"((SELECT COALESCE(jsonb_agg(jsonb_build_object('tenantId', "tenantId", 'subscriptionId', "subscriptionId", 'n', 1)), '[]') FROM "added"));
    RETURN NULL;
END;
$$;

CREATE FUNCTION "assigned_count_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "apply_assigned_count"((SELECT COALESCE(jsonb_agg(jsonb_build_object('tenantId', "tenantId", 'subscriptionId', "subscriptionId", 'n', -1)), '[]') FROM "removed"));
    RETURN NULL;
END;
$$;

CREATE FUNCTION "assigned_count_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "apply_assigned_count"((
        SELECT COALESCE(jsonb_agg(x), '[]') FROM (
            SELECT jsonb_build_object('tenantId', o."tenantId", 'subscriptionId', o."subscriptionId", 'n', -1) AS x
            FROM "before" o JOIN "after" n ON n."id" = o."id" WHERE (o."tenantId", o."subscriptionId") IS DISTINCT FROM (n."tenantId", n."subscriptionId")
            UNION ALL
            SELECT jsonb_build_object('tenantId', n."tenantId", 'subscriptionId', n."subscriptionId", 'n', 1)
            FROM "before" o JOIN "after" n ON n."id" = o."id" WHERE (o."tenantId", o."subscriptionId") IS DISTINCT FROM (n."tenantId", n."subscriptionId")) changed));
    RETURN NULL;
END;
$$;

CREATE TRIGGER "LicenseAssignment_count_insert" AFTER INSERT ON "LicenseAssignment"
    REFERENCING NEW TABLE AS "added" FOR EACH STATEMENT EXECUTE FUNCTION "assigned_count_insert"();
CREATE TRIGGER "LicenseAssignment_count_delete" AFTER DELETE ON "LicenseAssignment"
    REFERENCING OLD TABLE AS "removed" FOR EACH STATEMENT EXECUTE FUNCTION "assigned_count_delete"();
CREATE TRIGGER "LicenseAssignment_count_update" AFTER UPDATE ON "LicenseAssignment"
    REFERENCING OLD TABLE AS "before" NEW TABLE AS "after" FOR EACH STATEMENT EXECUTE FUNCTION "assigned_count_update"();

-- The counts of what is there already.
INSERT INTO "PurchaserTally" ("tenantId", "productId", "purchaserId", "count")
    SELECT "tenantId", "productId", "purchaserId", COUNT(*) FROM "Subscription" WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId", "purchaserId";
INSERT INTO "ProductTally" ("tenantId", "productId", "subscriptions", "quantity", "assigned", "purchasers")
    SELECT "tenantId", "productId", COUNT(*), SUM("quantity"), SUM("assignedCount"), COUNT(DISTINCT "purchaserId") FROM "Subscription"
    WHERE "status" IN ('Active', 'Trial') GROUP BY "tenantId", "productId";
