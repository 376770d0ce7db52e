#pragma once

// Store value types carried by queued signals between the worker thread and the UI.
#include <eventium/error.h>
#include <eventium/follower.h>
#include <eventium/store.h>
#include <eventium/toolkit/subscription.h>
#include <eventium/types.h>

#include <QMetaType>

Q_DECLARE_METATYPE(eventium::StreamPage)
Q_DECLARE_METATYPE(eventium::GlobalPage)
Q_DECLARE_METATYPE(eventium::StreamSearchPage)
Q_DECLARE_METATYPE(eventium::StreamInfo)
Q_DECLARE_METATYPE(eventium::AppendResult)
Q_DECLARE_METATYPE(eventium::EraseResult)
Q_DECLARE_METATYPE(eventium::StoreStats)
Q_DECLARE_METATYPE(eventium::ReplicationStatus)
Q_DECLARE_METATYPE(eventium::RelatedEvents)
Q_DECLARE_METATYPE(eventium::toolkit::SubscriptionStatus)
Q_DECLARE_METATYPE(eventium::toolkit::CheckpointMove)
Q_DECLARE_METATYPE(eventium::Activity)
