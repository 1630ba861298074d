-- CreateTable
CREATE TABLE "OutboxLease" (
    "tenantId" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboxLease_pkey" PRIMARY KEY ("tenantId")
);
