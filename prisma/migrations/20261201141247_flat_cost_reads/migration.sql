-- DropIndex
DROP INDEX "Invoice_tenantId_subscriptionId_idx";

-- DropIndex
DROP INDEX "Subscription_tenantId_createdAt_idx";

-- DropIndex
DROP INDEX "Subscription_tenantId_origin_createdAt_idx";

-- DropIndex
DROP INDEX "Subscription_tenantId_productId_status_idx";

-- DropIndex
DROP INDEX "Subscription_tenantId_purchaserId_productId_idx";

-- CreateTable
CREATE TABLE "DirectorySearchTerm" (
    "tenantId" TEXT NOT NULL,
    "term" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    PRIMARY KEY ("tenantId", "term", "userId")
);

-- CreateIndex
CREATE INDEX "DirectorySearchTerm_tenantId_userId_idx" ON "DirectorySearchTerm"("tenantId", "userId");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_subscriptionId_issuedAt_id_idx" ON "Invoice"("tenantId", "subscriptionId", "issuedAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_productId_purchaserId_status_origin_quantity_id_idx" ON "Subscription"("tenantId", "productId", "purchaserId", "status", "origin", "quantity", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_createdAt_id_idx" ON "Subscription"("tenantId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_origin_createdAt_id_idx" ON "Subscription"("tenantId", "origin", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_productId_createdAt_id_idx" ON "Subscription"("tenantId", "productId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_origin_productId_createdAt_id_idx" ON "Subscription"("tenantId", "origin", "productId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_tenantId_purchaserId_productId_createdAt_id_key" ON "Subscription"("tenantId", "purchaserId", "productId", "createdAt", "id");

-- Search terms of the people already stored, as searchTermsOf (domain/directory/find-people.ts)
-- writes them for new ones: the display name from each of its words on, and the email; ASCII
-- letters lower-cased, each run of spaces, tabs, line breaks and hyphens one space, none at the ends.
WITH RECURSIVE
  "spaced"("tenantId", "userId", "text", "isEmail") AS (
    SELECT "tenantId", "id", replace(replace(replace(replace(lower("displayName"), char(9), ' '), char(10), ' '), char(13), ' '), '-', ' '), 0 FROM "DirectoryUser"
    UNION ALL
    SELECT "tenantId", "id", replace(replace(replace(replace(lower("email"), char(9), ' '), char(10), ' '), char(13), ' '), '-', ' '), 1 FROM "DirectoryUser" WHERE "email" IS NOT NULL
  ),
  "keyed"("tenantId", "userId", "text", "isEmail") AS (
    SELECT "tenantId", "userId", trim(replace(replace(replace("text", ' ', ' ' || char(1)), char(1) || ' ', ''), char(1), ''), ' '), "isEmail" FROM "spaced"
  ),
  "suffix"("tenantId", "userId", "rest", "isEmail") AS (
    SELECT "tenantId", "userId", "text", "isEmail" FROM "keyed" WHERE "text" <> ''
    UNION ALL
    SELECT "tenantId", "userId", substr("rest", instr("rest", ' ') + 1), 0 FROM "suffix" WHERE "isEmail" = 0 AND instr("rest", ' ') > 0
  )
INSERT OR IGNORE INTO "DirectorySearchTerm" ("tenantId", "term", "userId") SELECT "tenantId", "rest", "userId" FROM "suffix";
