-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Tenant" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "requireApproval" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DirectoryUser" (
    "tenantId" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "email" TEXT,
    "isGuest" BOOLEAN NOT NULL,
    "active" BOOLEAN NOT NULL,

    CONSTRAINT "DirectoryUser_pkey" PRIMARY KEY ("tenantId","id")
);

-- CreateTable
CREATE TABLE "DirectorySearchTerm" (
    "tenantId" TEXT NOT NULL,
    "term" TEXT NOT NULL,
    "userId" TEXT NOT NULL,

    CONSTRAINT "DirectorySearchTerm_pkey" PRIMARY KEY ("tenantId","term","userId")
);

-- CreateTable
CREATE TABLE "RoleAssignment" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "grantedBy" TEXT,
    "grantedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoleAssignment_pkey" PRIMARY KEY ("tenantId","userId","role")
);

-- CreateTable
CREATE TABLE "Product" (
    "id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "legacyIds" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "monthlyPriceMinor" INTEGER NOT NULL,
    "monthlyCurrency" TEXT NOT NULL,
    "annualPriceMinor" INTEGER NOT NULL,
    "annualCurrency" TEXT NOT NULL,
    "trialDays" INTEGER,
    "trialLicenses" INTEGER,
    "trialRequiresPaymentMethod" BOOLEAN,

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PolicySetting" (
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedBy" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PolicySetting_pkey" PRIMARY KEY ("tenantId","productId")
);

-- CreateTable
CREATE TABLE "Subscription" (
    "id" TEXT NOT NULL,
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
    "startedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "cancelReason" TEXT,
    "centralizedInto" TEXT,
    "remindedFor" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,
    "version" INTEGER NOT NULL,
    "assignedCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Subscription_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubscriptionTally" (
    "tenantId" TEXT NOT NULL,
    "origin" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "SubscriptionTally_pkey" PRIMARY KEY ("tenantId","origin","productId","status")
);

-- CreateTable
CREATE TABLE "LicenseAssignment" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "assignedAt" TIMESTAMP(3) NOT NULL,
    "assignedBy" TEXT NOT NULL,

    CONSTRAINT "LicenseAssignment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OrderEntry" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantityDelta" INTEGER NOT NULL,
    "amountMinor" INTEGER,
    "currency" TEXT,
    "actorId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "note" TEXT,

    CONSTRAINT "OrderEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Invoice" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "subscriptionId" TEXT NOT NULL,
    "purchaserId" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL,
    "paidAt" TIMESTAMP(3),
    "chargeId" TEXT,
    "failureCode" TEXT,

    CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PurchaseRequest" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "requesterId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "billingFrequency" TEXT NOT NULL,
    "cardToken" TEXT,
    "status" TEXT NOT NULL,
    "decidedBy" TEXT,
    "decidedAt" TIMESTAMP(3),
    "decisionNote" TEXT,
    "subscriptionId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PurchaseRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "tenantId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "resultId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("tenantId","key")
);

-- CreateTable
CREATE TABLE "OutboxNotification" (
    "id" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "recipientKind" TEXT NOT NULL,
    "recipientUserId" TEXT,
    "kind" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3),
    "claimToken" TEXT,
    "sendingAt" TIMESTAMP(3),
    "sentAt" TIMESTAMP(3),
    "activityId" TEXT,
    "lastError" TEXT,

    CONSTRAINT "OutboxNotification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConversationReference" (
    "tenantId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "serviceUrl" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConversationReference_pkey" PRIMARY KEY ("tenantId","key")
);

-- CreateIndex
CREATE INDEX "DirectorySearchTerm_tenantId_userId_idx" ON "DirectorySearchTerm"("tenantId", "userId");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_purchaserId_createdAt_id_idx" ON "Subscription"("tenantId", "purchaserId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_productId_purchaserId_status_origin_q_idx" ON "Subscription"("tenantId", "productId", "purchaserId", "status", "origin", "quantity", "assignedCount");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_createdAt_id_idx" ON "Subscription"("tenantId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_origin_createdAt_id_idx" ON "Subscription"("tenantId", "origin", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_productId_createdAt_id_idx" ON "Subscription"("tenantId", "productId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_tenantId_origin_productId_createdAt_id_idx" ON "Subscription"("tenantId", "origin", "productId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "Subscription_status_expiresAt_idx" ON "Subscription"("status", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_tenantId_id_key" ON "Subscription"("tenantId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "Subscription_tenantId_purchaserId_productId_createdAt_id_key" ON "Subscription"("tenantId", "purchaserId", "productId", "createdAt", "id");

-- CreateIndex
CREATE INDEX "LicenseAssignment_tenantId_subscriptionId_id_idx" ON "LicenseAssignment"("tenantId", "subscriptionId", "id");

-- CreateIndex
CREATE UNIQUE INDEX "LicenseAssignment_subscriptionId_userId_key" ON "LicenseAssignment"("subscriptionId", "userId");

-- CreateIndex
CREATE INDEX "OrderEntry_tenantId_subscriptionId_at_idx" ON "OrderEntry"("tenantId", "subscriptionId", "at");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_purchaserId_issuedAt_idx" ON "Invoice"("tenantId", "purchaserId", "issuedAt");

-- CreateIndex
CREATE INDEX "Invoice_tenantId_subscriptionId_issuedAt_id_idx" ON "Invoice"("tenantId", "subscriptionId", "issuedAt", "id");

-- CreateIndex
CREATE INDEX "PurchaseRequest_tenantId_status_createdAt_idx" ON "PurchaseRequest"("tenantId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEntry_tenantId_at_idx" ON "AuditEntry"("tenantId", "at");

-- CreateIndex
CREATE INDEX "AuditEntry_tenantId_targetType_targetId_idx" ON "AuditEntry"("tenantId", "targetType", "targetId");

-- CreateIndex
CREATE INDEX "OutboxNotification_sentAt_nextAttemptAt_idx" ON "OutboxNotification"("sentAt", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "OutboxNotification_tenantId_createdAt_idx" ON "OutboxNotification"("tenantId", "createdAt");

-- AddForeignKey
ALTER TABLE "LicenseAssignment" ADD CONSTRAINT "LicenseAssignment_tenantId_subscriptionId_fkey" FOREIGN KEY ("tenantId", "subscriptionId") REFERENCES "Subscription"("tenantId", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderEntry" ADD CONSTRAINT "OrderEntry_tenantId_subscriptionId_fkey" FOREIGN KEY ("tenantId", "subscriptionId") REFERENCES "Subscription"("tenantId", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_tenantId_subscriptionId_fkey" FOREIGN KEY ("tenantId", "subscriptionId") REFERENCES "Subscription"("tenantId", "id") ON DELETE RESTRICT ON UPDATE CASCADE;
