-- CreateTable
CREATE TABLE "TeamsAccount" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "teamsUserId" TEXT NOT NULL,
    "serviceUrl" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "userId")
);

-- CreateIndex
CREATE INDEX "TeamsAccount_tenantId_updatedAt_idx" ON "TeamsAccount"("tenantId", "updatedAt");
