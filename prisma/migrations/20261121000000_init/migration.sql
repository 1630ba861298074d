-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "requireApproval" BOOLEAN NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DirectoryUser" (
    "tenantId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "email" TEXT,
    "isGuest" BOOLEAN NOT NULL,
    "active" BOOLEAN NOT NULL,

    PRIMARY KEY ("tenantId", "id")
);

-- CreateTable
CREATE TABLE "RoleAssignment" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "grantedBy" TEXT,
    "grantedAt" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "userId", "role")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "position" INTEGER NOT NULL,
    "legacyIds" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "monthlyPriceMinor" INTEGER NOT NULL,
    "monthlyCurrency" TEXT NOT NULL,
    "annualPriceMinor" INTEGER NOT NULL,
    "annualCurrency" TEXT NOT NULL,
    "trialDays" INTEGER,
    "trialLicenses" INTEGER,
    "trialRequiresPaymentMethod" BOOLEAN
);

-- CreateTable
CREATE TABLE "PolicySetting" (
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedBy" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "productId")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "purchaserId" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "billingFrequency" TEXT NOT NULL,
    "unitPriceMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "recurring" BOOLEAN NOT NULL,
    "isTrial" BOOLEAN NOT NULL,
    "cardToken" TEXT,
    "cardBrand" TEXT,
    "cardLast4" TEXT,
    "cardExpMonth" INTEGER,
    "cardExpYear" INTEGER,
    "startedAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "cancelledAt" DATETIME,
    "cancelReason" TEXT,
    "centralizedInto" TEXT,
    "remindedFor" DATETIME,
    "createdAt" DATETIME NOT NULL,
    "version" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "LicenseAssignment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "assignedAt" DATETIME NOT NULL,
    "assignedBy" TEXT NOT NULL,
    CONSTRAINT "LicenseAssignment_tenantId_subscriptionId_fkey" FOREIGN KEY ("tenantId", "subscriptionId") REFERENCES "Subscription" ("tenantId", "id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OrderEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantityDelta" INTEGER NOT NULL,
    "amountMinor" INTEGER,
    "currency" TEXT,
    "actorId" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "note" TEXT,
    CONSTRAINT "OrderEntry_tenantId_subscriptionId_fkey" FOREIGN KEY ("tenantId", "subscriptionId") REFERENCES "Subscription" ("tenantId", "id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "purchaserId" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "issuedAt" DATETIME NOT NULL,
    "paidAt" DATETIME,
    "chargeId" TEXT,
    "failureCode" TEXT,
    CONSTRAINT "Invoice_tenantId_subscriptionId_fkey" FOREIGN KEY ("tenantId", "subscriptionId") REFERENCES "Subscription" ("tenantId", "id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PurchaseRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "billingFrequency" TEXT NOT NULL,
    "cardToken" TEXT,
    "status" TEXT NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" DATETIME,
    "decisionNote" TEXT,
    "subscriptionId" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "tenantId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "resultId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "key")
);

-- CreateTable
CREATE TABLE "OutboxNotification" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "recipientKind" TEXT NOT NULL,
    "recipientUserId" TEXT,
    "kind" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME,
    "sentAt" DATETIME,
    "lastError" TEXT
);

-- CreateIndex
CREATE INDEX "Subscription_tenantId_purchaserId_productId_idx" ON "Subscription"("tenantId", "purchaserId", "productId");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_productId_status_idx" ON "Subscription"("tenantId", "productId", "status");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_origin_createdAt_idx" ON "Subscription"("tenantId", "origin", "createdAt");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_createdAt_idx" ON "Subscription"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "Subscription_status_expiresAt_idx" ON "Subscription"("status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_tenantId_id_key" ON "Subscription"("tenantId", "id");

-- CreateIndex
CREATE INDEX "LicenseAssignment_tenantId_subscriptionId_id_idx" ON "LicenseAssignment"("tenantId", "subscriptionId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "LicenseAssignment_subscriptionId_userId_key" ON "LicenseAssignment"("subscriptionId", "userId");

-- CreateIndex
CREATE INDEX "OrderEntry_tenantId_subscriptionId_at_idx" ON "OrderEntry"("tenantId", "subscriptionId", "at");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_purchaserId_issuedAt_idx" ON "Invoice"("tenantId", "purchaserId", "issuedAt");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_subscriptionId_idx" ON "Invoice"("tenantId", "subscriptionId");

-- CreateIndex
CREATE INDEX "PurchaseRequest_tenantId_status_createdAt_idx" ON "PurchaseRequest"("tenantId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_tenantId_at_idx" ON "AuditEntry"("tenantId", "at");

-- CreateIndex
CREATE INDEX "OutboxNotification_sentAt_nextAttemptAt_idx" ON "OutboxNotification"("sentAt", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxNotification_tenantId_createdAt_idx" ON "OutboxNotification"("tenantId", "createdAt");
