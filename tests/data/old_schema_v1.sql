-- A GroupDesk database as schema 1 wrote it (before migration step 2), with data.
-- Written by hand for tests/unit/test_migrations.py: schema 1 has no group.user_fields,
-- group.commitment_per_month, group.import_batch_id, contribution.import_batch_id, and no setting table.
-- Keep this file as it is: it stands for files that users already have on disk.

CREATE TABLE "import_batch" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "file" TEXT NOT NULL, "kind" VARCHAR(255) NOT NULL, "sha256" VARCHAR(255), "new_count" INTEGER NOT NULL, "updated_count" INTEGER NOT NULL, "unchanged_count" INTEGER NOT NULL, "skipped_count" INTEGER NOT NULL, "undone" INTEGER NOT NULL);
CREATE TABLE "group" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL, "network" VARCHAR(255) NOT NULL, "url" TEXT, "external_id" TEXT, "status" VARCHAR(255) NOT NULL, "how_joined" VARCHAR(255) NOT NULL, "invited_by" TEXT, "invite_personal" INTEGER, "invited_on" DATE, "joined_on" DATE, "left_on" DATE, "cost_amount" REAL, "cost_period" VARCHAR(255) NOT NULL, "currency" VARCHAR(255), "hours_per_month" REAL, "emails_per_week" REAL, "last_group_activity" DATE, "posts_per_week" REAL, "value_to_me" INTEGER, "value_from_me" INTEGER, "spam_level" INTEGER, "review_on" DATE, "tags" TEXT, "notes" TEXT, "source" TEXT, "created_at" DATETIME NOT NULL, "updated_at" DATETIME NOT NULL);
CREATE INDEX "group_name_key" ON "group" ("name_key");
CREATE INDEX "group_network" ON "group" ("network");
CREATE INDEX "group_status" ON "group" ("status");
CREATE INDEX "group_network_external_id" ON "group" ("network", "external_id");
CREATE TABLE "contribution" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "date" DATE NOT NULL, "kind" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "contribution_group_id" ON "contribution" ("group_id");
CREATE INDEX "contribution_date" ON "contribution" ("date");
CREATE TABLE "decision" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "at" DATETIME NOT NULL, "action" VARCHAR(255) NOT NULL, "reasons" TEXT NOT NULL, "answers" TEXT NOT NULL, "note" TEXT NOT NULL, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "decision_group_id" ON "decision" ("group_id");
CREATE TABLE "invite" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "received_at" DATETIME NOT NULL, "inviter" TEXT NOT NULL, "channel" VARCHAR(255) NOT NULL, "message_id" TEXT, "subject" TEXT NOT NULL, "personal" INTEGER, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "invite_group_id" ON "invite" ("group_id");
CREATE UNIQUE INDEX "invite_message_id" ON "invite" ("message_id");

INSERT INTO "import_batch" VALUES (1, '2024-03-01 10:00:00', '/home/ann/Downloads/groups.csv', 'groupdesk_csv', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 2, 0, 0, 1, 0);

INSERT INTO "group" VALUES (1, 'Python Users Berlin', 'python users berlin', 'meetup', 'https://www.meetup.com/python-users-berlin/', 'python-users-berlin', 'member', 'self', NULL, NULL, NULL, '2021-05-04', NULL, NULL, 'none', NULL, 2.0, 1.5, '2024-02-20', 3.0, 4, 3, 0, NULL, 'python, local', 'Talks every second Tuesday.', 'manual', '2024-01-10 09:00:00', '2024-02-21 18:30:00');
INSERT INTO "group" VALUES (2, 'Growth Hackers Élite 🚀', 'growth hackers élite 🚀', 'linkedin', NULL, '8842211', 'member', 'added_by_someone', 'Bob <bob@example.com>', 0, '2023-01-02', '2023-01-03', NULL, 29.0, 'month', 'EUR', 0.0, 12.0, '2023-06-01', 0.5, 1, 0, 3, '2024-04-01', NULL, '<b>not bold</b> & "quoted"', 'import', '2024-03-01 10:00:00', '2024-03-01 10:00:00');
INSERT INTO "group" VALUES (3, 'Old climbing club', 'old climbing club', 'offline', NULL, NULL, 'left', 'invited', 'Carla', 1, '2015-03-01', '2015-04-01', '2019-09-30', 120.0, 'year', 'EUR', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'import', '2024-03-01 10:00:00', '2024-03-01 10:00:00');
INSERT INTO "group" VALUES (4, 'rust-lang', 'rust-lang', 'reddit', 'https://www.reddit.com/r/rust/', 'r/rust', 'invited', 'invited', 'u/someone', 0, '2024-03-05', NULL, NULL, NULL, 'none', NULL, NULL, NULL, NULL, 40.0, NULL, NULL, NULL, NULL, NULL, NULL, 'manual', '2024-03-05 08:00:00', '2024-03-05 08:00:00');

INSERT INTO "contribution" VALUES (1, 1, '2024-02-13', 'event', 'Went to the February meetup');
INSERT INTO "contribution" VALUES (2, 1, '2024-02-20', 'organised', 'Gave a lightning talk');
INSERT INTO "contribution" VALUES (3, 3, '2018-06-10', 'event', '');

INSERT INTO "decision" VALUES (1, 1, '2024-01-10 09:05:00', 'keep', '["two_way_value"]', '{"give": 4, "get": 3}', 'Good people.');
INSERT INTO "decision" VALUES (2, 3, '2019-09-30 20:00:00', 'leave', '["dead"]', '{}', '');

INSERT INTO "invite" VALUES (1, 4, '2024-03-05 07:59:00', 'u/someone', 'email', '<abc123@reddit.example>', 'You are invited to r/rust', 0);
INSERT INTO "invite" VALUES (2, 3, '2015-03-01 12:00:00', 'Carla', 'manual', NULL, '', 1);

PRAGMA user_version = 1;
