package io.autoglm.spring.boot.example;

import io.swagger.v3.oas.annotations.media.Schema;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The example of docs/frameworks.md: a web service that tells stories and fills records (run by its test). */
@SpringBootApplication
public class StoryApplication {
    public static void main(String[] args) {
        SpringApplication.run(StoryApplication.class, args);
    }

    record Hero(@Schema(maxLength = 20) String name, int age, boolean brave) {   // bounded: a small model must end it
    }

    @RestController
    static class StoryController {
        private final ChatClient chat;

        StoryController(ChatClient.Builder builder) {
            this.chat = builder.defaultSystem("You tell short stories.").build();
        }

        @GetMapping("/story")
        String story(@RequestParam String topic) {
            return chat.prompt().user("Tell me a story about " + topic).call().content();
        }

        @GetMapping("/hero")
        Hero hero(@RequestParam String name) {
            return chat.prompt().user("Describe " + name).call().entity(Hero.class);   // JSON forced by a grammar
        }
    }
}
