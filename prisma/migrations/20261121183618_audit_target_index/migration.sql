-- CreateIndex
CREATE INDEX "AuditEntry_tenantId_targetType_targetId_idx" ON "AuditEntry"("tenantId", "targetType", "targetId");
