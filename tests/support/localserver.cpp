#include "localserver.h"
