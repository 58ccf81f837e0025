-- migrate:up
-- The account's catalogue: products, and plans that bill a set of them.
CREATE TABLE products (
    id          uuid PRIMARY KEY,
    account_id  uuid        NOT NULL,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE plans (
    id               uuid PRIMARY KEY,
    account_id       uuid        NOT NULL,
    name             text        NOT NULL,
    interval_months  integer     NOT NULL CHECK (interval_months BETWEEN 1 AND 36),
    -- Day of the month charges fall on; NULL: the subscription's start day.
    billing_day      integer     CHECK (billing_day BETWEEN 1 AND 28),
    active           boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_account ON plans (account_id, name);

CREATE TABLE plan_products (
    plan_id      uuid   NOT NULL REFERENCES plans (id),
    product_id   uuid   NOT NULL REFERENCES products (id),
    price_cents  bigint NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (plan_id, product_id)
);

-- What an import asked for: every customer it creates is subscribed to one plan.
ALTER TABLE imports
    ADD COLUMN plan_id                   uuid REFERENCES plans (id),
    ADD COLUMN subscription_start        date,
    ADD COLUMN payment_method            text,
    ADD COLUMN charges_acknowledged_at   timestamptz,
    ADD COLUMN subscribed_count          integer NOT NULL DEFAULT 0,
    ADD COLUMN subscription_failed_count integer NOT NULL DEFAULT 0;

CREATE TABLE subscriptions (
    id                uuid PRIMARY KEY,
    account_id        uuid        NOT NULL,
    customer_id       uuid        NOT NULL REFERENCES customers (id),
    plan_id           uuid        NOT NULL REFERENCES plans (id),
    start_date        date        NOT NULL,
    payment_method    text        NOT NULL,
    next_billing_date date        NOT NULL,
    source_import_id  uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    -- The idempotency key: a redelivered *customer created* never subscribes twice.
    UNIQUE (customer_id, plan_id)
);

-- One subscription outcome per row, whatever batch it arrived in; a retry may turn a
-- failure into a success, never the other way round.
CREATE TABLE import_subscription_outcomes (
    import_id  uuid    NOT NULL REFERENCES imports (id),
    row_no     integer NOT NULL,
    subscribed boolean NOT NULL,
    PRIMARY KEY (import_id, row_no)
);

-- migrate:down
DROP TABLE import_subscription_outcomes;
DROP TABLE subscriptions;
ALTER TABLE imports
    DROP COLUMN subscription_failed_count,
    DROP COLUMN subscribed_count,
    DROP COLUMN charges_acknowledged_at,
    DROP COLUMN payment_method,
    DROP COLUMN subscription_start,
    DROP COLUMN plan_id;
DROP TABLE plan_products;
DROP TABLE plans;
DROP TABLE products;
