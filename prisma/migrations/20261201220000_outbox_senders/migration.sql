-- CreateTable
CREATE TABLE "OutboxSender" (
    "holder" TEXT NOT NULL PRIMARY KEY,
    "seenAt" DATETIME NOT NULL
);
