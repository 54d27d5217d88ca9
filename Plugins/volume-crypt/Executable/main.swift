import ContsecPluginKit

// volume-crypt: encrypted (gocryptfs) and in-memory (tmpfs) Docker volumes, backup and verified restore.
// The library (VolumeCrypt) does the work; these files declare the commands and connect it to the kit.
PluginRunner.main(Plugin(
    name: "volume-crypt", version: "0.1.0", vendor: "contsec",
    description: "Encrypted (gocryptfs) and in-memory (tmpfs) Docker volumes: create, attach, backup and verified restore, destroy",
    commands: [DataCommands.list, VolumeCommands.create, VolumeCommands.open, VolumeCommands.close,
               VolumeCommands.attach, VolumeCommands.detach,
               DataCommands.backup, DataCommands.restore, VolumeCommands.destroy, VolumeCommands.gc]))
