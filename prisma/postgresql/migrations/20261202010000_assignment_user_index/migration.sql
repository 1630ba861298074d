-- CreateIndex
CREATE INDEX "LicenseAssignment_tenantId_userId_idx" ON "LicenseAssignment"("tenantId", "userId");
