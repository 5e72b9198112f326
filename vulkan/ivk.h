// ivk.h: the C side of idim's Vulkan device. It is included by exactly one
// cgo file (vk_cgo.go, built with -tags vulkan). libvulkan.so.1 is opened
// with dlopen at run time; every Vulkan function is called through a pointer
// from vkGetInstanceProcAddr (device functions too, through the loader's
// trampolines), so the binary never links against the loader.
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#define IVK_FN(name) PFN_##name name

typedef struct {
	void *lib;
	VkInstance inst;
	VkDebugUtilsMessengerEXT msgr;
	int has_debug;
	// messages recorded by the debug-utils callback
	int n_errors, n_warnings;
	char last[1024];

	IVK_FN(vkGetInstanceProcAddr);
	IVK_FN(vkCreateInstance);
	IVK_FN(vkEnumerateInstanceExtensionProperties);
	IVK_FN(vkEnumerateInstanceVersion);
	IVK_FN(vkDestroyInstance);
	IVK_FN(vkEnumeratePhysicalDevices);
	IVK_FN(vkGetPhysicalDeviceProperties2);
	IVK_FN(vkGetPhysicalDeviceFeatures2);
	IVK_FN(vkGetPhysicalDeviceMemoryProperties);
	IVK_FN(vkGetPhysicalDeviceQueueFamilyProperties);
	IVK_FN(vkCreateDebugUtilsMessengerEXT);
	IVK_FN(vkDestroyDebugUtilsMessengerEXT);
	IVK_FN(vkCreateDevice);
	IVK_FN(vkDestroyDevice);
	IVK_FN(vkGetDeviceQueue);
	IVK_FN(vkCreateBuffer);
	IVK_FN(vkDestroyBuffer);
	IVK_FN(vkGetBufferMemoryRequirements);
	IVK_FN(vkAllocateMemory);
	IVK_FN(vkFreeMemory);
	IVK_FN(vkBindBufferMemory);
	IVK_FN(vkMapMemory);
	IVK_FN(vkUnmapMemory);
	IVK_FN(vkGetBufferDeviceAddress);
	IVK_FN(vkCreateShaderModule);
	IVK_FN(vkDestroyShaderModule);
	IVK_FN(vkCreatePipelineLayout);
	IVK_FN(vkDestroyPipelineLayout);
	IVK_FN(vkCreateComputePipelines);
	IVK_FN(vkDestroyPipeline);
	IVK_FN(vkCreateCommandPool);
	IVK_FN(vkDestroyCommandPool);
	IVK_FN(vkAllocateCommandBuffers);
	IVK_FN(vkBeginCommandBuffer);
	IVK_FN(vkEndCommandBuffer);
	IVK_FN(vkResetCommandBuffer);
	IVK_FN(vkCmdBindPipeline);
	IVK_FN(vkCmdPushConstants);
	IVK_FN(vkCmdDispatch);
	IVK_FN(vkCmdPipelineBarrier);
	IVK_FN(vkCmdCopyBuffer);
	IVK_FN(vkCmdFillBuffer);
	IVK_FN(vkCmdWriteTimestamp);
	IVK_FN(vkCmdResetQueryPool);
	IVK_FN(vkCreateQueryPool);
	IVK_FN(vkDestroyQueryPool);
	IVK_FN(vkGetQueryPoolResults);
	IVK_FN(vkCreateFence);
	IVK_FN(vkDestroyFence);
	IVK_FN(vkResetFences);
	IVK_FN(vkWaitForFences);
	IVK_FN(vkQueueSubmit);
	IVK_FN(vkDeviceWaitIdle);
} ivk_inst;

typedef struct {
	char name[256];
	uint32_t type; // VkPhysicalDeviceType
	uint32_t vendor, device_id, api_version, driver_version;
	uint64_t device_local_bytes, host_visible_bytes;
	uint32_t max_shared, max_invocations, max_group_count[3], max_group_size[3];
	uint32_t max_storage_range, max_push, subgroup_size;
	uint64_t max_alloc;
	float timestamp_period;
	uint32_t timestamp_valid_bits;
	uint32_t bda, float64, int64, float16;
	int compute_family;
} ivk_props;

typedef struct {
	ivk_inst *I;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue queue;
	VkCommandPool pool;
	VkCommandBuffer cmd;
	VkFence fence;
	VkQueryPool qpool;
	uint32_t qcap, qused;
	int recording;
	int ncmds;
	uint32_t mem_local, mem_host;
	VkPhysicalDeviceMemoryProperties mem;
} ivk_dev;

typedef struct {
	VkBuffer buf;
	VkDeviceMemory mem;
	uint64_t addr;
	void *map;
} ivk_buf;

// ivk_result names a VkResult for error messages.
static const char *ivk_result(int r) {
	switch (r) {
	case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
	case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
	case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
	case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
	case VK_ERROR_MEMORY_MAP_FAILED: return "VK_ERROR_MEMORY_MAP_FAILED";
	case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT (a layer named in VK_INSTANCE_LAYERS is not installed)";
	case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
	case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
	case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER (no Vulkan driver found)";
	case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS";
	case -1000: return "no suitable memory type";
	}
	return "VkResult error";
}

static VKAPI_ATTR VkBool32 VKAPI_CALL ivk_debug_cb(VkDebugUtilsMessageSeverityFlagBitsEXT sev,
	VkDebugUtilsMessageTypeFlagsEXT type, const VkDebugUtilsMessengerCallbackDataEXT *data, void *user) {
	ivk_inst *I = (ivk_inst *)user;
	// Errors of any kind count; warnings only from validation (the loader
	// warns, for one, that VK_INSTANCE_LAYERS added a layer).
	if (sev & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
		I->n_errors++;
	} else if ((sev & VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT) && (type & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT)) {
		I->n_warnings++;
	} else {
		return VK_FALSE;
	}
	snprintf(I->last, sizeof I->last, "%s", data && data->pMessage ? data->pMessage : "(no message)");
	return VK_FALSE;
}

#define IVK_LOAD(I, inst, name) (I)->name = (PFN_##name)(I)->vkGetInstanceProcAddr(inst, #name)

// ivk_open loads the Vulkan loader at path and creates an instance (Vulkan
// 1.2), with a debug-utils messenger when the extension exists. It returns 0
// or a negative code with a message in err.
static int ivk_open(const char *path, ivk_inst *I, char *err, int errlen) {
	memset(I, 0, sizeof *I);
	I->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!I->lib) {
		const char *e = dlerror();
		snprintf(err, errlen, "dlopen %s: %s", path, e ? e : "failed");
		return -1;
	}
	I->vkGetInstanceProcAddr = (PFN_vkGetInstanceProcAddr)dlsym(I->lib, "vkGetInstanceProcAddr");
	if (!I->vkGetInstanceProcAddr) {
		snprintf(err, errlen, "%s has no vkGetInstanceProcAddr", path);
		dlclose(I->lib);
		I->lib = NULL;
		return -2;
	}
	IVK_LOAD(I, NULL, vkCreateInstance);
	IVK_LOAD(I, NULL, vkEnumerateInstanceExtensionProperties);
	IVK_LOAD(I, NULL, vkEnumerateInstanceVersion);
	if (!I->vkCreateInstance || !I->vkEnumerateInstanceExtensionProperties) {
		snprintf(err, errlen, "%s: vkCreateInstance missing", path);
		return -3;
	}
	uint32_t ver = VK_API_VERSION_1_0;
	if (I->vkEnumerateInstanceVersion) {
		I->vkEnumerateInstanceVersion(&ver);
	}
	if (ver < VK_API_VERSION_1_2) {
		snprintf(err, errlen, "Vulkan loader is version %u.%u, need 1.2", VK_API_VERSION_MAJOR(ver), VK_API_VERSION_MINOR(ver));
		return -4;
	}
	uint32_t next = 0;
	I->vkEnumerateInstanceExtensionProperties(NULL, &next, NULL);
	VkExtensionProperties *exts = calloc(next ? next : 1, sizeof *exts);
	I->vkEnumerateInstanceExtensionProperties(NULL, &next, exts);
	for (uint32_t i = 0; i < next; i++) {
		if (strcmp(exts[i].extensionName, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) == 0) {
			I->has_debug = 1;
		}
	}
	free(exts);
	const char *enabled[1] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
	VkApplicationInfo app = {VK_STRUCTURE_TYPE_APPLICATION_INFO};
	app.pApplicationName = "idim";
	app.pEngineName = "idim";
	app.apiVersion = VK_API_VERSION_1_2;
	VkDebugUtilsMessengerCreateInfoEXT dci = {VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
	dci.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
	dci.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
		VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
	dci.pfnUserCallback = ivk_debug_cb;
	dci.pUserData = I;
	VkInstanceCreateInfo ci = {VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
	ci.pApplicationInfo = &app;
	if (I->has_debug) {
		ci.enabledExtensionCount = 1;
		ci.ppEnabledExtensionNames = enabled;
		ci.pNext = &dci; // also catches messages of vkCreateInstance/vkDestroyInstance
	}
	VkResult r = I->vkCreateInstance(&ci, NULL, &I->inst);
	if (r != VK_SUCCESS) {
		snprintf(err, errlen, "vkCreateInstance: %s (%d)", ivk_result((int)r), (int)r);
		return -5;
	}
	VkInstance in = I->inst;
	IVK_LOAD(I, in, vkDestroyInstance);
	IVK_LOAD(I, in, vkEnumeratePhysicalDevices);
	IVK_LOAD(I, in, vkGetPhysicalDeviceProperties2);
	IVK_LOAD(I, in, vkGetPhysicalDeviceFeatures2);
	IVK_LOAD(I, in, vkGetPhysicalDeviceMemoryProperties);
	IVK_LOAD(I, in, vkGetPhysicalDeviceQueueFamilyProperties);
	IVK_LOAD(I, in, vkCreateDebugUtilsMessengerEXT);
	IVK_LOAD(I, in, vkDestroyDebugUtilsMessengerEXT);
	IVK_LOAD(I, in, vkCreateDevice);
	IVK_LOAD(I, in, vkDestroyDevice);
	IVK_LOAD(I, in, vkGetDeviceQueue);
	IVK_LOAD(I, in, vkCreateBuffer);
	IVK_LOAD(I, in, vkDestroyBuffer);
	IVK_LOAD(I, in, vkGetBufferMemoryRequirements);
	IVK_LOAD(I, in, vkAllocateMemory);
	IVK_LOAD(I, in, vkFreeMemory);
	IVK_LOAD(I, in, vkBindBufferMemory);
	IVK_LOAD(I, in, vkMapMemory);
	IVK_LOAD(I, in, vkUnmapMemory);
	IVK_LOAD(I, in, vkGetBufferDeviceAddress);
	IVK_LOAD(I, in, vkCreateShaderModule);
	IVK_LOAD(I, in, vkDestroyShaderModule);
	IVK_LOAD(I, in, vkCreatePipelineLayout);
	IVK_LOAD(I, in, vkDestroyPipelineLayout);
	IVK_LOAD(I, in, vkCreateComputePipelines);
	IVK_LOAD(I, in, vkDestroyPipeline);
	IVK_LOAD(I, in, vkCreateCommandPool);
	IVK_LOAD(I, in, vkDestroyCommandPool);
	IVK_LOAD(I, in, vkAllocateCommandBuffers);
	IVK_LOAD(I, in, vkBeginCommandBuffer);
	IVK_LOAD(I, in, vkEndCommandBuffer);
	IVK_LOAD(I, in, vkResetCommandBuffer);
	IVK_LOAD(I, in, vkCmdBindPipeline);
	IVK_LOAD(I, in, vkCmdPushConstants);
	IVK_LOAD(I, in, vkCmdDispatch);
	IVK_LOAD(I, in, vkCmdPipelineBarrier);
	IVK_LOAD(I, in, vkCmdCopyBuffer);
	IVK_LOAD(I, in, vkCmdFillBuffer);
	IVK_LOAD(I, in, vkCmdWriteTimestamp);
	IVK_LOAD(I, in, vkCmdResetQueryPool);
	IVK_LOAD(I, in, vkCreateQueryPool);
	IVK_LOAD(I, in, vkDestroyQueryPool);
	IVK_LOAD(I, in, vkGetQueryPoolResults);
	IVK_LOAD(I, in, vkCreateFence);
	IVK_LOAD(I, in, vkDestroyFence);
	IVK_LOAD(I, in, vkResetFences);
	IVK_LOAD(I, in, vkWaitForFences);
	IVK_LOAD(I, in, vkQueueSubmit);
	IVK_LOAD(I, in, vkDeviceWaitIdle);
	if (!I->vkGetBufferDeviceAddress || !I->vkGetPhysicalDeviceProperties2) {
		snprintf(err, errlen, "Vulkan 1.2 entry points missing");
		I->vkDestroyInstance(I->inst, NULL);
		I->inst = NULL;
		return -6;
	}
	if (I->has_debug && I->vkCreateDebugUtilsMessengerEXT) {
		I->vkCreateDebugUtilsMessengerEXT(I->inst, &dci, NULL, &I->msgr);
	}
	return 0;
}

static void ivk_close(ivk_inst *I) {
	if (I->inst) {
		if (I->msgr && I->vkDestroyDebugUtilsMessengerEXT) {
			I->vkDestroyDebugUtilsMessengerEXT(I->inst, I->msgr, NULL);
		}
		I->vkDestroyInstance(I->inst, NULL);
		I->inst = NULL;
	}
	// The loader stays mapped: layers and drivers may keep threads or
	// atexit handlers that point into it.
}

static int ivk_devices(ivk_inst *I, VkPhysicalDevice *out, int max) {
	uint32_t n = 0;
	if (I->vkEnumeratePhysicalDevices(I->inst, &n, NULL) != VK_SUCCESS) {
		return -1;
	}
	if (n > (uint32_t)max) {
		n = max;
	}
	VkResult r = I->vkEnumeratePhysicalDevices(I->inst, &n, out);
	if (r != VK_SUCCESS && r != VK_INCOMPLETE) {
		return -1;
	}
	return (int)n;
}

static VkPhysicalDevice ivk_device_at(VkPhysicalDevice *list, int i) { return list[i]; }

static void ivk_props_of(ivk_inst *I, VkPhysicalDevice pd, ivk_props *P) {
	memset(P, 0, sizeof *P);
	VkPhysicalDeviceSubgroupProperties sub = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
	VkPhysicalDeviceMaintenance3Properties m3 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
	m3.pNext = &sub;
	VkPhysicalDeviceProperties2 p2 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
	p2.pNext = &m3;
	I->vkGetPhysicalDeviceProperties2(pd, &p2);
	VkPhysicalDeviceProperties *p = &p2.properties;
	snprintf(P->name, sizeof P->name, "%s", p->deviceName);
	P->type = p->deviceType;
	P->vendor = p->vendorID;
	P->device_id = p->deviceID;
	P->api_version = p->apiVersion;
	P->driver_version = p->driverVersion;
	P->max_shared = p->limits.maxComputeSharedMemorySize;
	P->max_invocations = p->limits.maxComputeWorkGroupInvocations;
	for (int i = 0; i < 3; i++) {
		P->max_group_count[i] = p->limits.maxComputeWorkGroupCount[i];
		P->max_group_size[i] = p->limits.maxComputeWorkGroupSize[i];
	}
	P->max_storage_range = p->limits.maxStorageBufferRange;
	P->max_push = p->limits.maxPushConstantsSize;
	P->timestamp_period = p->limits.timestampPeriod;
	P->subgroup_size = sub.subgroupSize;
	P->max_alloc = m3.maxMemoryAllocationSize;

	VkPhysicalDeviceVulkan12Features f12 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
	VkPhysicalDeviceFeatures2 f2 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
	f2.pNext = &f12;
	I->vkGetPhysicalDeviceFeatures2(pd, &f2);
	P->bda = f12.bufferDeviceAddress;
	P->float16 = f12.shaderFloat16;
	P->float64 = f2.features.shaderFloat64;
	P->int64 = f2.features.shaderInt64;

	VkPhysicalDeviceMemoryProperties mem;
	I->vkGetPhysicalDeviceMemoryProperties(pd, &mem);
	for (uint32_t i = 0; i < mem.memoryHeapCount; i++) {
		if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) {
			P->device_local_bytes += mem.memoryHeaps[i].size;
		}
	}
	for (uint32_t i = 0; i < mem.memoryTypeCount; i++) {
		if (mem.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
			P->host_visible_bytes = mem.memoryHeaps[mem.memoryTypes[i].heapIndex].size;
			break;
		}
	}
	uint32_t nq = 0;
	I->vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, NULL);
	VkQueueFamilyProperties *qs = calloc(nq ? nq : 1, sizeof *qs);
	I->vkGetPhysicalDeviceQueueFamilyProperties(pd, &nq, qs);
	P->compute_family = -1;
	// Prefer a compute queue without graphics (an async compute queue).
	for (int pass = 0; pass < 2 && P->compute_family < 0; pass++) {
		for (uint32_t i = 0; i < nq; i++) {
			VkQueueFlags f = qs[i].queueFlags;
			if ((f & VK_QUEUE_COMPUTE_BIT) && (pass == 1 || !(f & VK_QUEUE_GRAPHICS_BIT))) {
				P->compute_family = i;
				P->timestamp_valid_bits = qs[i].timestampValidBits;
				break;
			}
		}
	}
	free(qs);
}

static int ivk_find_mem(VkPhysicalDeviceMemoryProperties *mem, uint32_t bits, VkMemoryPropertyFlags want) {
	for (uint32_t i = 0; i < mem->memoryTypeCount; i++) {
		if ((bits & (1u << i)) && (mem->memoryTypes[i].propertyFlags & want) == want) {
			return (int)i;
		}
	}
	return -1;
}

// ivk_create_device makes a logical device with one compute queue, a
// command buffer, a fence and (qcap > 0) a timestamp query pool.
static int ivk_create_device(ivk_inst *I, VkPhysicalDevice pd, int family, uint32_t qcap, ivk_dev *D, char *err, int errlen) {
	memset(D, 0, sizeof *D);
	D->I = I;
	D->pd = pd;
	float prio = 1;
	VkDeviceQueueCreateInfo qci = {VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
	qci.queueFamilyIndex = family;
	qci.queueCount = 1;
	qci.pQueuePriorities = &prio;
	VkPhysicalDeviceVulkan12Features f12 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
	f12.bufferDeviceAddress = VK_TRUE;
	VkPhysicalDeviceFeatures2 f2 = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
	f2.pNext = &f12;
	VkDeviceCreateInfo ci = {VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
	ci.pNext = &f2;
	ci.queueCreateInfoCount = 1;
	ci.pQueueCreateInfos = &qci;
	VkResult r = I->vkCreateDevice(pd, &ci, NULL, &D->dev);
	if (r != VK_SUCCESS) {
		snprintf(err, errlen, "vkCreateDevice: %s (%d)", ivk_result((int)r), (int)r);
		return -1;
	}
	I->vkGetDeviceQueue(D->dev, family, 0, &D->queue);
	VkCommandPoolCreateInfo pci = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
	pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
	pci.queueFamilyIndex = family;
	if ((r = I->vkCreateCommandPool(D->dev, &pci, NULL, &D->pool)) != VK_SUCCESS) {
		snprintf(err, errlen, "vkCreateCommandPool: %s (%d)", ivk_result((int)r), (int)r);
		return -2;
	}
	VkCommandBufferAllocateInfo ai = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
	ai.commandPool = D->pool;
	ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
	ai.commandBufferCount = 1;
	if ((r = I->vkAllocateCommandBuffers(D->dev, &ai, &D->cmd)) != VK_SUCCESS) {
		snprintf(err, errlen, "vkAllocateCommandBuffers: %s (%d)", ivk_result((int)r), (int)r);
		return -3;
	}
	VkFenceCreateInfo fci = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
	if ((r = I->vkCreateFence(D->dev, &fci, NULL, &D->fence)) != VK_SUCCESS) {
		snprintf(err, errlen, "vkCreateFence: %s (%d)", ivk_result((int)r), (int)r);
		return -4;
	}
	if (qcap > 0) {
		VkQueryPoolCreateInfo q = {VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
		q.queryType = VK_QUERY_TYPE_TIMESTAMP;
		q.queryCount = qcap;
		if (I->vkCreateQueryPool(D->dev, &q, NULL, &D->qpool) == VK_SUCCESS) {
			D->qcap = qcap;
		}
	}
	I->vkGetPhysicalDeviceMemoryProperties(pd, &D->mem);
	return 0;
}

static void ivk_destroy_device(ivk_dev *D) {
	ivk_inst *I = D->I;
	if (!D->dev) {
		return;
	}
	I->vkDeviceWaitIdle(D->dev);
	if (D->qpool) {
		I->vkDestroyQueryPool(D->dev, D->qpool, NULL);
	}
	if (D->fence) {
		I->vkDestroyFence(D->dev, D->fence, NULL);
	}
	if (D->pool) {
		I->vkDestroyCommandPool(D->dev, D->pool, NULL);
	}
	I->vkDestroyDevice(D->dev, NULL);
	D->dev = NULL;
}

// ivk_alloc makes a buffer of size bytes with its own memory: device-local
// storage (host == 0) or host-visible coherent staging memory, mapped
// (host == 1). Every buffer has a device address.
static int ivk_alloc(ivk_dev *D, uint64_t size, int host, ivk_buf *B) {
	ivk_inst *I = D->I;
	memset(B, 0, sizeof *B);
	VkBufferCreateInfo bci = {VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
	bci.size = size;
	bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT |
		VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
	bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
	VkResult r = I->vkCreateBuffer(D->dev, &bci, NULL, &B->buf);
	if (r != VK_SUCCESS) {
		return (int)r;
	}
	VkMemoryRequirements req;
	I->vkGetBufferMemoryRequirements(D->dev, B->buf, &req);
	int t;
	if (host) {
		t = ivk_find_mem(&D->mem, req.memoryTypeBits,
			VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
		if (t < 0) {
			t = ivk_find_mem(&D->mem, req.memoryTypeBits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
		}
	} else {
		t = ivk_find_mem(&D->mem, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
		if (t < 0) {
			t = ivk_find_mem(&D->mem, req.memoryTypeBits, 0);
		}
	}
	if (t < 0) {
		I->vkDestroyBuffer(D->dev, B->buf, NULL);
		B->buf = NULL;
		return -1000;
	}
	VkMemoryAllocateFlagsInfo fi = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO};
	fi.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT;
	VkMemoryAllocateInfo mai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
	mai.pNext = &fi;
	mai.allocationSize = req.size;
	mai.memoryTypeIndex = t;
	if ((r = I->vkAllocateMemory(D->dev, &mai, NULL, &B->mem)) != VK_SUCCESS) {
		I->vkDestroyBuffer(D->dev, B->buf, NULL);
		B->buf = NULL;
		return (int)r;
	}
	I->vkBindBufferMemory(D->dev, B->buf, B->mem, 0);
	VkBufferDeviceAddressInfo dai = {VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO};
	dai.buffer = B->buf;
	B->addr = I->vkGetBufferDeviceAddress(D->dev, &dai);
	if (host) {
		if ((r = I->vkMapMemory(D->dev, B->mem, 0, VK_WHOLE_SIZE, 0, &B->map)) != VK_SUCCESS) {
			I->vkFreeMemory(D->dev, B->mem, NULL);
			I->vkDestroyBuffer(D->dev, B->buf, NULL);
			memset(B, 0, sizeof *B);
			return (int)r;
		}
	}
	return 0;
}

static void ivk_free(ivk_dev *D, ivk_buf *B) {
	ivk_inst *I = D->I;
	if (B->map) {
		I->vkUnmapMemory(D->dev, B->mem);
	}
	if (B->buf) {
		I->vkDestroyBuffer(D->dev, B->buf, NULL);
	}
	if (B->mem) {
		I->vkFreeMemory(D->dev, B->mem, NULL);
	}
	memset(B, 0, sizeof *B);
}

// ivk_pipeline makes a compute pipeline from SPIR-V code whose only
// interface is a push-constant block of push bytes.
static int ivk_pipeline(ivk_dev *D, const void *code, size_t size, uint32_t push, VkPipeline *pipe, VkPipelineLayout *layout) {
	ivk_inst *I = D->I;
	VkShaderModuleCreateInfo sci = {VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
	sci.codeSize = size;
	sci.pCode = (const uint32_t *)code;
	VkShaderModule mod;
	VkResult r = I->vkCreateShaderModule(D->dev, &sci, NULL, &mod);
	if (r != VK_SUCCESS) {
		return (int)r;
	}
	VkPushConstantRange pr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, push};
	VkPipelineLayoutCreateInfo lci = {VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
	if (push > 0) {
		lci.pushConstantRangeCount = 1;
		lci.pPushConstantRanges = &pr;
	}
	if ((r = I->vkCreatePipelineLayout(D->dev, &lci, NULL, layout)) != VK_SUCCESS) {
		I->vkDestroyShaderModule(D->dev, mod, NULL);
		return (int)r;
	}
	VkComputePipelineCreateInfo cci = {VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
	cci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
	cci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
	cci.stage.module = mod;
	cci.stage.pName = "main";
	cci.layout = *layout;
	r = I->vkCreateComputePipelines(D->dev, VK_NULL_HANDLE, 1, &cci, NULL, pipe);
	I->vkDestroyShaderModule(D->dev, mod, NULL);
	if (r != VK_SUCCESS) {
		I->vkDestroyPipelineLayout(D->dev, *layout, NULL);
		return (int)r;
	}
	return 0;
}

static void ivk_destroy_pipeline(ivk_dev *D, VkPipeline p, VkPipelineLayout l) {
	D->I->vkDestroyPipeline(D->dev, p, NULL);
	D->I->vkDestroyPipelineLayout(D->dev, l, NULL);
}

// ivk_begin_cmd starts recording if needed and, before every command but
// the first, records a full compute/transfer memory barrier: each command
// sees the writes of all earlier ones.
static void ivk_begin_cmd(ivk_dev *D) {
	ivk_inst *I = D->I;
	if (!D->recording) {
		VkCommandBufferBeginInfo bi = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
		bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
		I->vkBeginCommandBuffer(D->cmd, &bi);
		D->recording = 1;
		D->ncmds = 0;
		D->qused = 0;
		if (D->qcap) {
			I->vkCmdResetQueryPool(D->cmd, D->qpool, 0, D->qcap);
		}
	}
	if (D->ncmds > 0) {
		VkMemoryBarrier mb = {VK_STRUCTURE_TYPE_MEMORY_BARRIER};
		mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
		mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
			VK_ACCESS_TRANSFER_WRITE_BIT;
		VkPipelineStageFlags st = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
		I->vkCmdPipelineBarrier(D->cmd, st, st, 0, 1, &mb, 0, NULL, 0, NULL);
	}
	D->ncmds++;
}

// ivk_stamp writes a timestamp (profiling); it returns the query index or
// -1 when the pool is full or absent.
static int ivk_stamp(ivk_dev *D) {
	if (!D->qcap || D->qused >= D->qcap) {
		return -1;
	}
	D->I->vkCmdWriteTimestamp(D->cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, D->qpool, D->qused);
	return (int)D->qused++;
}

// ivk_dispatch records one dispatch; with prof set (and room in the query
// pool) it is bracketed by two timestamps and 1 is returned.
static int ivk_dispatch(ivk_dev *D, VkPipeline p, VkPipelineLayout l, const void *push, uint32_t npush, uint32_t gx, uint32_t gy, uint32_t gz, int prof) {
	ivk_inst *I = D->I;
	ivk_begin_cmd(D);
	int stamped = prof && D->qcap && D->qused + 2 <= D->qcap;
	if (stamped) {
		ivk_stamp(D);
	}
	I->vkCmdBindPipeline(D->cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p);
	if (npush > 0) {
		I->vkCmdPushConstants(D->cmd, l, VK_SHADER_STAGE_COMPUTE_BIT, 0, npush, push);
	}
	I->vkCmdDispatch(D->cmd, gx, gy, gz);
	if (stamped) {
		ivk_stamp(D);
	}
	return stamped;
}

static void ivk_copy(ivk_dev *D, VkBuffer src, uint64_t soff, VkBuffer dst, uint64_t doff, uint64_t size) {
	ivk_begin_cmd(D);
	VkBufferCopy c = {soff, doff, size};
	D->I->vkCmdCopyBuffer(D->cmd, src, dst, 1, &c);
}

static void ivk_fill(ivk_dev *D, VkBuffer dst, uint64_t off, uint64_t size, uint32_t v) {
	ivk_begin_cmd(D);
	D->I->vkCmdFillBuffer(D->cmd, dst, off, size, v);
}

// ivk_submit ends the command buffer, submits it and waits for it.
static int ivk_submit(ivk_dev *D) {
	ivk_inst *I = D->I;
	if (!D->recording) {
		return 0;
	}
	D->recording = 0;
	VkResult r = I->vkEndCommandBuffer(D->cmd);
	if (r != VK_SUCCESS) {
		return (int)r;
	}
	VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO};
	si.commandBufferCount = 1;
	si.pCommandBuffers = &D->cmd;
	if ((r = I->vkQueueSubmit(D->queue, 1, &si, D->fence)) != VK_SUCCESS) {
		return (int)r;
	}
	r = I->vkWaitForFences(D->dev, 1, &D->fence, VK_TRUE, UINT64_MAX);
	I->vkResetFences(D->dev, 1, &D->fence);
	I->vkResetCommandBuffer(D->cmd, 0);
	return (int)r;
}

static int ivk_timestamps(ivk_dev *D, uint64_t *out, uint32_t n) {
	if (n == 0) {
		return 0;
	}
	return (int)D->I->vkGetQueryPoolResults(D->dev, D->qpool, 0, n, n * 8, out, 8, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
}

static void ivk_memcpy_to(void *map, uint64_t off, const void *src, uint64_t n) { memcpy((char *)map + off, src, n); }
static void ivk_memcpy_from(void *dst, const void *map, uint64_t off, uint64_t n) { memcpy(dst, (const char *)map + off, n); }
