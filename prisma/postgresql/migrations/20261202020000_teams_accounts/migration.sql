-- CreateTable
CREATE TABLE "TeamsAccount" (
    "tenantId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "teamsUserId" TEXT NOT NULL,
    "serviceUrl" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TeamsAccount_pkey" PRIMARY KEY ("tenantId","userId")
);

-- CreateIndex
CREATE INDEX "TeamsAccount_tenantId_updatedAt_idx" ON "TeamsAccount"("tenantId", "updatedAt");
