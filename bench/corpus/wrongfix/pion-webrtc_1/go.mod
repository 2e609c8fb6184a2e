module wrongfix/pion-webrtc_1

go 1.22
