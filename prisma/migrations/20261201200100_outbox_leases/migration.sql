-- CreateTable
CREATE TABLE "OutboxLease" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);
