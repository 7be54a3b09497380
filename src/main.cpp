// vm-webrtc-server: streams an X display to WebRTC viewers.
#include "app/Application.hpp"

int main(int argc, char **argv)
{
    return vmrtc::Application::main(argc, argv);
}
