// Sentences of the SpotCloud appliance guide that several rules enforce,
// quoted once (a test checks each rule's guideline is in the guide verbatim).

export const GUIDE_REMOTE_ACCESS = 'You will not have a direct remote console into the VM, so be sure to setup your remote access procedures (ssh, remote desktop, VNC, etc) before uploading your VM.';
export const GUIDE_SSH_KEYS = 'It\'s also highly recommended that you use ssh keys (RSA or DSA) instead of login passwords for remote access';
export const GUIDE_PASSWORDS = 'If you must use passwords, be sure to set them to something complex enough that ssh port scanners won\'t be able to guess the password easily.';
export const GUIDE_DEVICE_NUMBERING = 'Be aware of anything in your VM that could potentially change ethernet and hard drive device numbering under Linux or BSD. Allowing these to occur may result in an appliance that will no longer boot or have network access.';
