-- CreateIndex
CREATE INDEX "OutboxNotification_tenantId_recipientUserId_idx" ON "OutboxNotification"("tenantId", "recipientUserId");
