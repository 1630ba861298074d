-- CreateTable
CREATE TABLE "OutboxSender" (
    "holder" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboxSender_pkey" PRIMARY KEY ("holder")
);
