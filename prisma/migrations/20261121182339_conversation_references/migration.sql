-- CreateTable
CREATE TABLE "ConversationReference" (
    "tenantId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "serviceUrl" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("tenantId", "key")
);
