-- AlterTable
ALTER TABLE "OutboxNotification" ADD COLUMN     "waitingSince" TIMESTAMP(3);
