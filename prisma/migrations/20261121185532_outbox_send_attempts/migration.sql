-- AlterTable
ALTER TABLE "OutboxNotification" ADD COLUMN "activityId" TEXT;
ALTER TABLE "OutboxNotification" ADD COLUMN "claimToken" TEXT;
ALTER TABLE "OutboxNotification" ADD COLUMN "sendingAt" DATETIME;
