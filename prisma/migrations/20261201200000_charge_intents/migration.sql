-- CreateTable
CREATE TABLE "ChargeIntent" (
    "tenantId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "cardToken" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "outcome" TEXT,
    "chargeId" TEXT,
    "resultId" TEXT,
    "note" TEXT,
    "createdAt" DATETIME NOT NULL,
    "settledAt" DATETIME,

    PRIMARY KEY ("tenantId", "key")
);

-- CreateIndex
CREATE INDEX "ChargeIntent_status_createdAt_idx" ON "ChargeIntent"("status", "createdAt");
