-- CreateIndex
CREATE INDEX "Subscription_tenantId_purchaserId_createdAt_id_idx" ON "Subscription"("tenantId", "purchaserId", "createdAt", "id");
