-- A payment recorded in error is reversed by an entry of its own, never deleted or changed: the
-- payment and its shares stay as recorded, and this row says that they no longer count. Every
-- figure that reads dues (standing and arrears, a unit's dues, the shares of the bodies above)
-- leaves out the payments with a row here. The payment's id is the key, so a payment is
-- reversed once; a reversal is not a payment, so it cannot itself be reversed (the payment is
-- recorded again instead).
CREATE TABLE dues_reversals (
    payment_id BIGINT PRIMARY KEY REFERENCES dues_payments(id),
    -- The unit the payment was recorded in, whose officers reversed it.
    unit_id BIGINT NOT NULL REFERENCES units(id),
    reversed_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_by BIGINT REFERENCES accounts(id),
    recorded_at BIGINT NOT NULL
);
