-- AlterTable (written as ADD COLUMN rather than the table rebuild the diff proposes: a rebuild would
-- drop the Subscription_tally_* triggers with the old table, and copy every subscription)
ALTER TABLE "Subscription" ADD COLUMN "assignedCount" INTEGER NOT NULL DEFAULT 0;

-- DropIndex
DROP INDEX "Subscription_tenantId_productId_purchaserId_status_origin_quantity_id_idx";

-- CreateIndex
CREATE INDEX "Subscription_tenantId_productId_purchaserId_status_origin_quantity_assignedCount_idx" ON "Subscription"("tenantId", "productId", "purchaserId", "status", "origin", "quantity", "assignedCount");

-- Kept by the database, whoever writes the assignments (as the tally of subscriptions is).
CREATE TRIGGER "LicenseAssignment_count_insert" AFTER INSERT ON "LicenseAssignment"
BEGIN
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" + 1 WHERE "tenantId" = NEW."tenantId" AND "id" = NEW."subscriptionId";
END;

CREATE TRIGGER "LicenseAssignment_count_delete" AFTER DELETE ON "LicenseAssignment"
BEGIN
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" - 1 WHERE "tenantId" = OLD."tenantId" AND "id" = OLD."subscriptionId";
END;

CREATE TRIGGER "LicenseAssignment_count_update" AFTER UPDATE OF "tenantId", "subscriptionId" ON "LicenseAssignment"
    WHEN OLD."tenantId" IS NOT NEW."tenantId" OR OLD."subscriptionId" IS NOT NEW."subscriptionId"
BEGIN
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" - 1 WHERE "tenantId" = OLD."tenantId" AND "id" = OLD."subscriptionId";
    UPDATE "Subscription" SET "assignedCount" = "assignedCount" + 1 WHERE "tenantId" = NEW."tenantId" AND "id" = NEW."subscriptionId";
END;

-- The assignments already stored.
UPDATE "Subscription" SET "assignedCount" = (
    SELECT COUNT(*) FROM "LicenseAssignment" a WHERE a."tenantId" = "Subscription"."tenantId" AND a."subscriptionId" = "Subscription"."id"
);
