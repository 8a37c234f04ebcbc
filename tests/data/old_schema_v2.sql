-- A GroupDesk database as schema 2 wrote it (before migration step 3), with data.
-- Written by hand for tests/unit/test_migrations_step3.py: schema 2 has no decision.import_batch_id,
-- invite.import_batch_id and no import_change table. Batch 1 imported groups 2 and 3 (group 3 with a
-- contribution); group 1 was typed by hand. Keep this file as it is: it stands for files users have.

CREATE TABLE "import_batch" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "file" TEXT NOT NULL, "kind" VARCHAR(255) NOT NULL, "sha256" VARCHAR(255), "new_count" INTEGER NOT NULL, "updated_count" INTEGER NOT NULL, "unchanged_count" INTEGER NOT NULL, "skipped_count" INTEGER NOT NULL, "undone" INTEGER NOT NULL);
CREATE TABLE "group" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL, "network" VARCHAR(255) NOT NULL, "url" TEXT, "external_id" TEXT, "status" VARCHAR(255) NOT NULL, "how_joined" VARCHAR(255) NOT NULL, "invited_by" TEXT, "invite_personal" INTEGER, "invited_on" DATE, "joined_on" DATE, "left_on" DATE, "cost_amount" REAL, "cost_period" VARCHAR(255) NOT NULL, "currency" VARCHAR(255), "hours_per_month" REAL, "emails_per_week" REAL, "last_group_activity" DATE, "posts_per_week" REAL, "value_to_me" INTEGER, "value_from_me" INTEGER, "spam_level" INTEGER, "review_on" DATE, "commitment_per_month" INTEGER, "tags" TEXT, "notes" TEXT, "source" TEXT, "user_fields" TEXT NOT NULL, "import_batch_id" INTEGER, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL, FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "group_name_key" ON "group" ("name_key");
CREATE INDEX "group_network" ON "group" ("network");
CREATE INDEX "group_status" ON "group" ("status");
CREATE INDEX "group_import_batch_id" ON "group" ("import_batch_id");
CREATE INDEX "group_network_external_id" ON "group" ("network", "external_id");
CREATE TABLE "contribution" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "date" DATE NOT NULL, "kind" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, "import_batch_id" INTEGER, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE, FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "contribution_group_id" ON "contribution" ("group_id");
CREATE INDEX "contribution_date" ON "contribution" ("date");
CREATE INDEX "contribution_import_batch_id" ON "contribution" ("import_batch_id");
CREATE TABLE "decision" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "at" DATETIME NOT NULL, "action" VARCHAR(255) NOT NULL, "reasons" TEXT NOT NULL, "answers" TEXT NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "decision_group_id" ON "decision" ("group_id");
CREATE TABLE "invite" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "received_at" DATETIME NOT NULL, "inviter" TEXT NOT NULL, "channel" VARCHAR(255) NOT NULL, "message_id" TEXT, "subject" TEXT NOT NULL, "personal" INTEGER, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "invite_group_id" ON "invite" ("group_id");
CREATE UNIQUE INDEX "invite_message_id" ON "invite" ("message_id");
CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);

INSERT INTO "import_batch" VALUES (1, '2025-02-01 10:00:00', '/home/ann/Downloads/facebook-ann.zip', 'facebook', 'aa11', 2, 0, 0, 0, 0);

INSERT INTO "group" VALUES (1, 'Python Users Berlin', 'python users berlin', 'meetup', NULL, NULL, 'member', 'self', NULL, NULL, NULL, '2021-05-04', NULL, NULL, 'none', NULL, 2.0, 1.5, NULL, NULL, 4, 3, 0, NULL, 2, 'python', 'Typed by hand.', 'manual', '["name","notes","value_from_me","value_to_me"]', NULL, '2024-01-10 09:00:00', '2024-02-21 18:30:00');
INSERT INTO "group" VALUES (2, 'Board Games Oost', 'board games oost', 'facebook', NULL, NULL, 'member', 'unknown', NULL, NULL, NULL, '2021-03-01', NULL, NULL, 'none', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'facebook', '[]', 1, '2025-02-01 10:00:00', '2025-02-01 10:00:00');
INSERT INTO "group" VALUES (3, 'Kayak Club Ø', 'kayak club ø', 'facebook', NULL, NULL, 'left', 'unknown', NULL, NULL, NULL, '2019-06-01', '2024-08-01', NULL, 'none', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'facebook', '[]', 1, '2025-02-01 10:00:00', '2025-02-01 10:00:00');

INSERT INTO "contribution" VALUES (1, 1, '2024-02-13', 'event', 'Went to the February meetup', NULL);
INSERT INTO "contribution" VALUES (2, 3, '2024-05-10', 'post', 'posts on Facebook', 1);

INSERT INTO "decision" VALUES (1, 1, '2024-01-10 09:05:00', 'keep', '["two_way_value"]', '{"give": 4}', 'Good people.');
INSERT INTO "decision" VALUES (2, 2, '2025-02-03 20:00:00', 'engage', '[]', '{}', 'My own decision after the import.');

INSERT INTO "invite" VALUES (1, 1, '2021-05-01 12:00:00', 'Carla', 'manual', NULL, '', 1);

INSERT INTO "setting" VALUES ('theme', 'dark');

PRAGMA user_version = 2;
