-- CreateTable
CREATE TABLE "PurchaserTally" (
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "purchaserId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "PurchaserTally_pkey" PRIMARY KEY ("tenantId","productId","purchaserId")
);

-- CreateTable
CREATE TABLE "ProductTally" (
    "tenantId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "subscriptions" INTEGER NOT NULL,
    "quantity" INTEGER NOT NULL,
    "assigned" INTEGER NOT NULL,
    "purchasers" INTEGER NOT NULL,

    CONSTRAINT "ProductTally_pkey" PRIMARY KEY ("tenantId","productId")
);
