-- AlterTable
ALTER TABLE "OutboxNotification" ADD COLUMN "waitingSince" DATETIME;
