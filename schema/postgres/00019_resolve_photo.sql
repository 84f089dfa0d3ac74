-- A category may require a photo of the result (整改后照片) before an issue is resolved: the
-- resolution is refused until a photo is attached to the issue at the resolve stage.

ALTER TABLE issue_categories ADD COLUMN requires_resolve_photo boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN issue_categories.requires_resolve_photo IS
    'an issue of this category is resolved only once a photo is attached to it at the resolve stage';
